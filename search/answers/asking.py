"""Answering a question: check it, retrieve from the editions in force, compose, cite, or abstain."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING

from search.answers.editions import EditionView, edition_view
from search.answers.extractive import ExtractiveAnswerer, locate_quote
from search.answers.generative import GenerationError, GenerativeAnswerer
from search.answers.models import Answer, AnswerSentence, Citation
from search.answers.obligations import obligation_of, sentence_kind
from search.errors import QueryError
from search.models import SearchFilters, SearchHit

if TYPE_CHECKING:
    from search.service import SearchService

MAX_QUESTION_CHARS = 600
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
NOT_FOUND = (
    "The indexed documents do not clearly answer this question, so Lessons gives no answer rather "
    "than guess. The nearest passages are listed below; try other words, or check that the right "
    "documents are indexed."
)


def check_question(question: str) -> tuple[str, list[str]]:
    """The question tidied, and notices about what was done to it; QueryError when unusable."""
    text = " ".join(question.split())
    if not text:
        raise QueryError("the question is empty: type a question, e.g. 'what must a school do when ...'")
    if not _WORD.search(text):
        raise QueryError(f"the question {text[:40]!r} has no words in it: ask in words")
    notices = []
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0]
        notices.append(f"The question was cut to its first {MAX_QUESTION_CHARS} characters.")
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isascii() for ch in letters) < 0.5 * len(letters):
        notices.append("Lessons indexes English documents; a question in English will match them best.")
    return text, notices


def _allowed(filters: SearchFilters, documents: dict, editions: EditionView) -> SearchFilters:
    if not editions.not_yet_published:
        return filters
    permitted = tuple(
        doc_id
        for doc_id, doc in documents.items()
        if doc_id not in editions.not_yet_published
        and filters.admits(doc)
        and (not filters.doc_ids or doc_id in filters.doc_ids)
    )
    return replace(filters, doc_ids=permitted or ("-none-",))


def _prefer_editions_in_force(hits: list[SearchHit], editions: EditionView) -> list[SearchHit]:
    """Drop passages of superseded editions when the edition in force was retrieved too (the rest are
    flagged when cited)."""
    present = {hit.doc_id for hit in hits}
    return [
        hit for hit in hits if not (hit.doc_id in editions.superseded and editions.current_for(hit.doc_id) in present)
    ]


_EDITION_VIEWS: OrderedDict[tuple[int, int, str, dt.date | None], tuple[object, EditionView]] = OrderedDict()
_EDITION_VIEWS_KEPT = 16
_EDITION_VIEWS_LOCK = threading.Lock()


def _edition_view(service: SearchService, documents: dict, as_at: dt.date | None) -> EditionView:
    """``edition_view`` of the visible documents, remembered while the store's records are unchanged.

    Grouping thousands of documents into series costs tens of milliseconds, on every question; the
    store hands out the same mapping of its records until they change, so that mapping (kept alive
    with the view, so its identity cannot be reused), the user's clearance and the date are the key.
    """
    records = service.store.documents_by_id()
    key = (id(records), len(documents), service.user.clearance, as_at)
    with _EDITION_VIEWS_LOCK:
        found = _EDITION_VIEWS.get(key)
        if found is not None and found[0] is records:
            _EDITION_VIEWS.move_to_end(key)
            return found[1]
    view = edition_view(documents, as_at)
    with _EDITION_VIEWS_LOCK:
        _EDITION_VIEWS[key] = (records, view)
        while len(_EDITION_VIEWS) > _EDITION_VIEWS_KEPT:
            _EDITION_VIEWS.popitem(last=False)
    return view


def answer_question(
    service: SearchService,
    question: str,
    *,
    as_at: dt.date | None = None,
    filters: SearchFilters | None = None,
) -> Answer:
    """Compose a cited answer (see SearchService.ask)."""
    text, notices = check_question(question)
    settings = service.settings
    documents = service.visible_documents()
    editions = _edition_view(service, documents, as_at)
    scoped = _allowed(filters or SearchFilters(), documents, editions)
    hits, question_embedding = service.answer_passages(
        text, top_k=settings.answer_passages * 2, filters=scoped, documents=documents
    )
    hits = _prefer_editions_in_force(hits, editions)
    passages = hits[: settings.answer_passages]
    composer = ExtractiveAnswerer(
        embedder=service.embedder,
        threshold=settings.support_threshold,
        embed_limit=settings.answer_embed_sentences,
        cache=service.sentence_vectors,
    )
    composed = composer.run(question=text, passages=passages, question_embedding=question_embedding)
    sentences: list[AnswerSentence] = composed["sentences"]  # type: ignore[assignment]
    citations: list[Citation] = composed["citations"]  # type: ignore[assignment]
    support = float(composed["support"])  # type: ignore[arg-type]
    method = "extractive"
    if sentences and settings.answer_mode == "generative":
        # Generation only where the extractive check found support: it never answers what the documents don't.
        generated = _generate(service, text, passages, notices)
        if generated is not None:
            sentences, citations = generated
            method = "generative"
    as_at_text = as_at.isoformat() if as_at else None
    if not sentences:
        return Answer(
            question=text,
            answer="",
            abstained=True,
            sentences=[],
            citations=[],
            message=NOT_FOUND,
            nearest=[service.with_snippet(hit, text) for hit in passages[:5]],
            notices=notices,
            as_at=as_at_text,
            support=support,
            passages=hits,
        )
    citations = [_finish_citation(service, c, documents, editions) for c in citations]
    for citation in citations:
        if citation.superseded:
            current = documents[editions.current_for(citation.doc_id) or citation.doc_id]
            notices.append(
                f"[{citation.n}] cites the {citation.edition or 'earlier edition'} of {citation.title}; "
                f"a later edition is in force: {current.title}."
            )
    if as_at:
        notices.append(f"Answered from the documents and editions in force on {as_at_text}.")
    answer_text = " ".join(f"{s.text} [{', '.join(map(str, s.citations))}]" for s in sentences if s.supported)
    return Answer(
        question=text,
        answer=answer_text,
        abstained=False,
        sentences=sentences,
        citations=citations,
        notices=notices,
        as_at=as_at_text,
        support=support,
        passages=hits,
        method=method,
    )


def _generate(
    service: SearchService, question: str, passages: list[SearchHit], notices: list[str]
) -> tuple[list[AnswerSentence], list[Citation]] | None:
    """A generated answer over the passages, with unsupported sentences marked; None (and a notice) on failure."""
    citations = [
        Citation(
            n=n,
            doc_id=h.doc_id,
            title=h.title,
            doc_type=h.doc_type,
            publisher=h.publisher,
            published=h.published,
            source=h.source,
            page=h.page,
            paragraph=h.paragraph,
            quote=h.text,
            section=h.section,
            char_start=h.char_start if h.page == h.page_end else -1,
            char_end=h.char_end if h.page == h.page_end else -1,
        )
        for n, h in enumerate(passages, start=1)
    ]
    answerer = GenerativeAnswerer.from_settings(service.settings, service.embedder)
    try:
        generated = answerer.answer(question, citations)
    except GenerationError as exc:
        notices.append(f"The generative answer failed ({exc}); this is the extractive answer instead.")
        return None
    supported = [s for s in generated if s.supported]
    if not supported:
        notices.append(
            "The generated answer had no sentence its sources support; this is the extractive answer instead."
        )
        return None
    if len(supported) < len(generated):
        notices.append(
            f"{len(generated) - len(supported)} generated sentence(s) had no supporting passage and are marked."
        )
    tagged = []
    for sentence in generated:
        source = citations[sentence.citations[0] - 1] if sentence.citations else None
        kind = sentence_kind(source.doc_type, sentence.text) if source else "statement"
        obligation = obligation_of(sentence.text) if kind == "requirement" else None
        tagged.append(replace(sentence, kind=kind, obligation=obligation))
    used = sorted({n for s in tagged for n in s.citations})
    renumber = {old: new for new, old in enumerate(used, start=1)}
    kept = [replace(citations[old - 1], n=renumber[old]) for old in used]
    return [replace(s, citations=tuple(renumber[n] for n in s.citations)) for s in tagged], kept


def _finish_citation(service: SearchService, citation: Citation, documents: dict, editions: EditionView) -> Citation:
    document = documents[citation.doc_id]
    start, end = citation.char_start, citation.char_end
    page = citation.page
    if start < 0:  # a passage over two pages: find the quote on its pages
        for candidate in (page, (page or 0) + 1):
            page_text = service.store.page_text(citation.doc_id, candidate or 1)
            found = locate_quote(citation.quote, page_text or "")
            if found:
                page, (start, end) = candidate, found
                break
        else:
            start, end = 0, 0
    return replace(
        citation,
        page=page,
        char_start=start,
        char_end=end,
        edition=editions.edition_label(document),
        superseded=citation.doc_id in editions.superseded,
    )
