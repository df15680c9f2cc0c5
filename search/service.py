"""The one service object that the CLI, the UI and the tests drive for reading the knowledge base."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from haystack import Document, Pipeline

from search.access import LOCAL_USER, User
from search.answers.models import Answer
from search.answers.sentence_vectors import SentenceVectorCache
from search.audit import AuditLog
from search.embedding import Embedder, passage_for_embedding
from search.errors import DocumentNotFoundError, QueryError
from search.library import LibraryOverview, library_overview
from search.models import DocumentRecord, SearchFilters, SearchHit, SearchResult, StoreStats
from search.page_images import (
    OriginalSource,
    PageImage,
    PassageInContext,
    original_source,
    passage_in_context,
    pdf_path_for,
    render_pdf_page,
)
from search.pipelines import MODES, build_retrieval_pipeline, last_component
from search.recommendations.export import recommendations_csv
from search.recommendations.models import Recommendation, RecommendationDetail, RecurrenceChain
from search.recommendations.query import RegisterView, checked_filters
from search.recommendations.register import register_path
from search.recommendations.themes import load_taxonomy
from search.recommendations.views import RegisterViews
from search.reranking import HeadReranker
from search.retrievers import chunk_document
from search.settings import Settings
from search.snippets import make_snippet
from search.store.factory import open_store
from search.store.protocol import ChunkStore

MAX_QUERY_CHARS = 2000


def query_text(query: str) -> str:
    """A query as it is searched: whitespace collapsed, cut at ``MAX_QUERY_CHARS``."""
    return " ".join(query.split())[:MAX_QUERY_CHARS]


@dataclass(frozen=True)
class PageView:
    """One page of a document, for showing a cited passage in context."""

    document: DocumentRecord
    page: int
    text: str
    highlight: tuple[int, int] | None = None


class SearchService:
    """Search, browse and describe what is indexed.

    The store opens on first use and the model loads on the first query that needs it, so
    listing documents stays fast.

    Every read is made as ``user``: searches, answers, "more like this" and the register are
    filtered to the access levels the user may read inside the store query, and a document the
    user may not read is "not found". Reads are written to the audit log when one is set.

    Parameters:
        settings: the Settings in force.
        embedder: a loaded Embedder to share (one is made when None).
        user: who is reading (default: the one local user of an open installation).
    """

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, user: User = LOCAL_USER) -> None:
        self.settings = settings
        self.user = user
        self._embedder = embedder
        self._store: ChunkStore | None = None
        self._pipelines: dict[str, Pipeline] = {}
        self._register_views = RegisterViews(register_path(settings.data_dir))
        audit_path = Path(settings.audit_log).expanduser() if settings.audit_log else None
        self.audit = AuditLog(audit_path, include_questions=settings.audit_questions)
        self._sentence_vectors = SentenceVectorCache(settings.answer_cache_sentences)

    def for_user(self, user: User) -> SearchService:
        """This service as seen by ``user``, sharing its store, model, pipelines and register.

        The app keeps one service per process and calls this for each signed-in session.
        """
        self.store  # noqa: B018 - open the shared store once, before the views share it
        view = copy.copy(self)
        view.user = user
        return view

    def visible_documents(self) -> dict[str, DocumentRecord]:
        """Every document the user may read, keyed by id."""
        return {doc_id: doc for doc_id, doc in self.store.documents_by_id().items() if self.user.can_read(doc.access)}

    @property
    def store(self) -> ChunkStore:
        """The store, opened for reading on first use."""
        if self._store is None:
            self._store = open_store(self.settings, writable=False)
        return self._store

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        if self._embedder is None:
            self._embedder = Embedder(self.settings)
        return self._embedder

    def _pipeline(self, mode: str) -> Pipeline:
        if mode not in self._pipelines:
            reranker = None
            if self.settings.reranker:
                reranker = HeadReranker(model=self.settings.reranker, depth=self.settings.rerank_depth)
            self._pipelines[mode] = build_retrieval_pipeline(
                mode, self.store, self.embedder, rrf_k=self.settings.rrf_k, reranker=reranker
            )
        return self._pipelines[mode]

    # -- search ---------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        top_k: int | None = None,
        offset: int = 0,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        themes: tuple[str, ...] = (),
    ) -> SearchResult:
        """Find the passages that answer ``query``.

        Parameters:
            query: words as a user would type them.
            top_k: hits to return (default: setting top_k); ``offset`` skips that many first.
            filters: restrict by type, publisher, area, dates, access.
            mode: 'hybrid' (default), 'keyword' or 'semantic'.
            themes: only passages that use the keyword cues of one of these themes (of the taxonomy).

        Returns a SearchResult with hits (best first) and facet counts over the candidates.
        Raises QueryError for an empty query or an unknown mode.
        """
        text = " ".join(query.split())
        if not text:
            raise QueryError("the query is empty: type some words to search for")
        top_k = top_k or self.settings.top_k
        wanted = _checked_themes(themes)
        candidates = self.retrieve(text, depth=max(self.settings.candidates, offset + top_k), filters=filters, mode=mode)
        taxonomy = load_taxonomy()
        passage_themes = {doc.id: taxonomy.cued(doc.content or "") for doc in candidates}
        if wanted:
            candidates = [doc for doc in candidates if wanted & set(passage_themes[doc.id])]
        text = text[:MAX_QUERY_CHARS]
        documents = self.visible_documents()
        hits = [self._hit(doc, text, documents) for doc in candidates[offset : offset + top_k]]
        self.audit.record(self.user, "search", text=text, doc_ids=[hit.doc_id for hit in hits])
        facets = _facets(candidates, documents)
        facets["theme"] = _theme_counts(passage_themes[doc.id] for doc in candidates)
        return SearchResult(query=text, hits=hits, facets=facets)

    def retrieve(
        self, query: str, *, depth: int, filters: SearchFilters | None = None, mode: str = "hybrid"
    ) -> list[Document]:
        """The ranked passages (Haystack Documents) for ``query``: what ``search`` turns into hits.

        ``depth`` is how many candidates each retriever fetches. Raises QueryError for an unknown mode.
        """
        return self._retrieve(query, depth=depth, filters=filters, mode=mode)[0]

    def _retrieve(
        self, query: str, *, depth: int, filters: SearchFilters | None, mode: str
    ) -> tuple[list[Document], list[float] | None]:
        """``retrieve``'s passages and the query's embedding (None in keyword mode), which answers reuse."""
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        text = query_text(query)
        filters = self.user.scope(filters)
        inputs: dict[str, dict[str, object]] = {}
        if mode in ("keyword", "hybrid"):
            inputs["keyword_retriever"] = {"query": text, "filters": filters, "top_k": depth}
        if mode in ("semantic", "hybrid"):
            inputs["query_embedder"] = {"text": text}
            inputs["embedding_retriever"] = {"filters": filters, "top_k": depth}
        reranked = bool(self.settings.reranker)
        if reranked:
            inputs["reranker"] = {"query": text}
        embedded = {"query_embedder"} if "query_embedder" in inputs else set()
        output = self._pipeline(mode).run(inputs, include_outputs_from=embedded)
        embedding = output["query_embedder"]["embedding"] if embedded else None
        return list(output[last_component(mode, reranked=reranked)]["documents"]), embedding

    def _hit(
        self, doc: Document, query: str, documents: dict[str, DocumentRecord], *, snippet: bool = True
    ) -> SearchHit:
        meta = doc.meta
        record = documents[meta["doc_id"]]
        snippet_text, spans = make_snippet(doc.content or "", query) if snippet else ("", [])
        return SearchHit(
            doc_id=record.doc_id,
            title=record.title,
            doc_type=record.doc_type,
            publisher=record.publisher,
            published=record.published,
            source=record.source,
            page=meta["page"],
            page_end=meta["page_end"],
            section=meta["section"],
            paragraph=meta["paragraph"],
            score=float(doc.score or 0.0),
            text=doc.content or "",
            snippet=snippet_text,
            char_start=meta["char_start"],
            char_end=meta["char_end"],
            chunk_id=doc.id,
            access=record.access,
            area=record.area,
            highlights=tuple(spans),
        )

    # -- answers --------------------------------------------------------------------------
    def ask(
        self, question: str, *, as_at: dt.date | None = None, filters: SearchFilters | None = None
    ) -> Answer:
        """Answer a question in a few sentences, each citing document, page and paragraph.

        Parameters:
            question: as a user would ask it.
            as_at: answer from the documents and editions in force on this date (default: latest).
            filters: restrict the documents used.

        Returns an Answer; ``abstained`` is True (with the nearest passages) when the documents
        do not support one. Raises QueryError for an empty or wordless question.
        """
        from search.answers.asking import answer_question

        answer = answer_question(self, question, as_at=as_at, filters=filters)
        shown = [citation.doc_id for citation in answer.citations] + [hit.doc_id for hit in answer.nearest]
        self.audit.record(self.user, "ask", text=answer.question, doc_ids=shown)
        return answer

    def answer_passages(
        self,
        question: str,
        *,
        top_k: int,
        filters: SearchFilters | None = None,
        documents: dict[str, DocumentRecord] | None = None,
    ) -> tuple[list[SearchHit], list[float] | None]:
        """The passages an answer draws on (hybrid retrieval, best first) and the question's embedding.

        Unlike ``search`` it counts no facets or themes, makes no snippets (see ``with_snippet``) and
        writes no audit record (``ask`` does). ``documents`` are the visible documents when the caller
        has them already.
        """
        text = query_text(question)
        found, embedding = self._retrieve(
            text, depth=max(self.settings.candidates, top_k), filters=filters, mode="hybrid"
        )
        visible = documents if documents is not None else self.visible_documents()
        return [self._hit(doc, text, visible, snippet=False) for doc in found[:top_k]], embedding

    @staticmethod
    def with_snippet(hit: SearchHit, query: str) -> SearchHit:
        """``hit`` with the snippet (and its highlights) that ``search`` would have shown for ``query``."""
        snippet, spans = make_snippet(hit.text, query)
        return replace(hit, snippet=snippet, highlights=tuple(spans))

    @property
    def sentence_vectors(self) -> SentenceVectorCache:
        """Embeddings of answer sentences kept between questions (shared by every user's view)."""
        return self._sentence_vectors

    # -- browse ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        """Every indexed document the user may read, with its metadata, by title."""
        return [doc for doc in self.store.list_documents() if self.user.can_read(doc.access)]

    def document(self, doc_id: str) -> DocumentRecord:
        """One document's metadata; raises DocumentNotFoundError with a hint."""
        record = self.store.get_document(doc_id)
        if record is None or not self.user.can_read(record.access):  # hidden and absent read the same
            raise DocumentNotFoundError(f"no document with id {doc_id!r} is indexed: list them with `lessons docs`")
        return record

    def page(self, doc_id: str, page: int, *, highlight: tuple[int, int] | None = None) -> PageView:
        """The text of one page (page 1 for formats without pages)."""
        record = self.document(doc_id)
        text = self.store.page_text(doc_id, page)
        if text is None:
            last = record.pages or 1
            raise DocumentNotFoundError(f"{doc_id} has no page {page}: its pages run from 1 to {last}")
        self.audit.record(self.user, "page", doc_ids=[doc_id])
        return PageView(document=record, page=page, text=text, highlight=highlight)

    def stats(self) -> StoreStats:
        """Counts and sizes of the store (counts of the documents the user may read)."""
        stats = self.store.stats()
        if self.user.reads_everything:
            return stats
        visible = self.documents()
        by_type: dict[str, int] = {}
        for document in visible:
            by_type[document.doc_type] = by_type.get(document.doc_type, 0) + 1
        return replace(stats, documents=len(visible), chunks=sum(d.chunks for d in visible), by_type=by_type)

    def check(self) -> list[str]:
        """Integrity problems of the store (empty when consistent)."""
        return self.store.integrity_problems()

    # -- the app's views: page images, passages in context, more like this, the library -----
    # (used by the Streamlit front end, ui/app_pages; everything that computes lives here, not there)
    def page_image(self, doc_id: str, page: int, quote: str | None = None) -> PageImage:
        """Page ``page`` of a PDF document drawn as a PNG, with ``quote`` highlighted where it is found.

        Raises DocumentNotFoundError for an unknown document or page, and PageImageUnavailable
        (saying why) when the original is not a PDF on this computer or cannot be read: then show
        ``page_context`` instead.
        """
        record = self.page(doc_id, page).document
        return render_pdf_page(pdf_path_for(record), page, quote=quote, doc_id=doc_id)

    def page_context(
        self, doc_id: str, page: int, *, quote: str | None = None, char_start: int = 0, char_end: int = 0
    ) -> PassageInContext:
        """A passage (by its offsets on the page, or its quoted text) with the page text around it."""
        view = self.page(doc_id, page)
        return passage_in_context(view.text, doc_id=doc_id, page=page, quote=quote,
                                  char_start=char_start, char_end=char_end)

    def original_source(self, doc_id: str, page: int | None = None) -> OriginalSource:
        """Where a document's original file is, with a link that opens it at ``page``."""
        return original_source(self.document(doc_id), page)

    def more_like_this(
        self,
        chunk_id: str,
        *,
        top_k: int | None = None,
        filters: SearchFilters | None = None,
        same_document: bool = False,
    ) -> SearchResult:
        """Passages closest in meaning to a stored passage: precedents for it in other documents.

        The passage's embedding is made exactly as at ingest (its text with its document title and
        section), and its nearest neighbours are returned, best first. Passages of its own document
        are left out unless ``same_document``. Raises DocumentNotFoundError for an unknown chunk id.
        """
        doc_id, _, ordinal = chunk_id.rpartition("#")
        record = self.document(doc_id) if doc_id else None
        chunk = next((c for c in self.store.chunks_of(doc_id) if str(c.ordinal) == ordinal), None) if record else None
        if record is None or chunk is None:
            raise DocumentNotFoundError(
                f"no passage {chunk_id!r} is indexed: it may have been re-indexed since; search again"
            )
        top_k = top_k or self.settings.top_k
        embedding = self.embedder.embed_passages([passage_for_embedding(chunk.text, record.title, chunk.section)])[0]
        depth = top_k + (1 if same_document else record.chunks)
        documents = self.visible_documents()
        hits = []
        for neighbour, score in self.store.vector_search(embedding, depth, self.user.scope(filters)):
            if neighbour.chunk_id == chunk_id or (neighbour.doc_id == doc_id and not same_document):
                continue
            hits.append(self._hit(chunk_document(neighbour, score), "", documents))
        hits = hits[:top_k]
        self.audit.record(self.user, "more_like_this", text=chunk_id, doc_ids=[hit.doc_id for hit in hits])
        return SearchResult(query=chunk.text, hits=hits, facets=_facets_of_hits(hits))

    def library(self) -> LibraryOverview:
        """Every indexed document with editions grouped and counts by type and year."""
        return library_overview(self.documents())

    # -- recommendations register ----------------------------------------------------------
    # (the register is derived data in its own file, built by the ingest job's sync; the logic
    # lives in search/recommendations, these methods only open it and delegate)
    def _register_view(self) -> RegisterView:
        """The register as this user may see it (records, evidence and chains of visible documents only)."""
        visible = None if self.user.reads_everything else frozenset(self.visible_documents())
        return self._register_views.view(visible)

    def recommendations(
        self,
        *,
        query: str | None = None,
        theme: str | None = None,
        status: str | None = None,
        made_by: str | None = None,
        recurring: bool | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> list[Recommendation]:
        """Recommendations in the register, filtered; with ``query``, those matching it, best first.

        Parameters:
            query: words to match by keyword and meaning (None lists all, by date).
            theme: a theme of the taxonomy (see ``recommendation_themes``).
            status: accepted, partly accepted, rejected, in progress, implemented or not implemented.
            made_by: review, committee, inspectorate or other.
            recurring: True for recommendations made in two or more documents, False for the others.
            date_from / date_to: publication dates, inclusive.

        Raises QueryError for an unknown theme, status or maker, and RegisterError when the
        register has not been built (the message says how to build it).
        """
        taxonomy = load_taxonomy()
        filters = checked_filters(
            taxonomy, theme=theme, status=status, made_by=made_by, recurring=recurring,
            date_from=date_from, date_to=date_to,
        )
        view = self._register_view()
        records = view.find(filters, query, self.embedder.embed_query if query else None, taxonomy)
        self.audit.record(self.user, "recommendations", text=query, doc_ids=[record.doc_id for record in records])
        return records

    def recommendation(self, rec_id: str) -> RecommendationDetail:
        """One recommendation with why its themes were given, its status history and its recurrence chain.

        Raises RecommendationNotFoundError (with a hint) for an unknown id.
        """
        detail = self._register_view().detail(rec_id)
        shown = [detail.record.doc_id] + [event.doc_id for event in detail.status_history]
        self.audit.record(self.user, "recommendation", text=rec_id, doc_ids=shown)
        return detail

    def recurrence_chains(self) -> list[RecurrenceChain]:
        """Every group of recommendations saying the same thing, each in date order."""
        return self._register_view().chains()

    def recommendation_themes(self) -> list[str]:
        """The themes of the taxonomy, for filters."""
        return load_taxonomy().names

    def recommendations_csv(self, records: list[Recommendation]) -> str:
        """``records`` as CSV text (columns as in the JSON)."""
        self.audit.record(self.user, "export", doc_ids=[record.doc_id for record in records])
        return recommendations_csv(records)

    def close(self) -> None:
        """Close the store (and the recommendations register, if open)."""
        self._register_views.close()
        if self._store is not None:
            self._store.close()
            self._store = None
            self._pipelines.clear()


def _facets(candidates: list[Document], documents: dict[str, DocumentRecord]) -> dict[str, dict[str, int]]:
    """Counts of candidate passages by document type, publisher, area and year."""
    facets: dict[str, dict[str, int]] = {"doc_type": {}, "publisher": {}, "area": {}, "year": {}}
    for doc in candidates:
        record = documents.get(doc.meta["doc_id"])
        if record is None:
            continue
        values = {
            "doc_type": record.doc_type,
            "publisher": record.publisher,
            "area": record.area,
            "year": record.published[:4] if record.published else None,
        }
        for facet, value in values.items():
            if value:
                facets[facet][value] = facets[facet].get(value, 0) + 1
    return facets


# -- the app's views (continued): facets of "more like this", narrowing by facets -------------
def _facets_of_hits(hits: list[SearchHit]) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {"doc_type": {}, "publisher": {}, "area": {}, "year": {}}
    for hit in hits:
        year = hit.published[:4] if hit.published else None
        for facet, value in (("doc_type", hit.doc_type), ("publisher", hit.publisher), ("area", hit.area),
                             ("year", year)):
            if value:
                facets[facet][value] = facets[facet].get(value, 0) + 1
    return facets


def facet_filters(selected: dict[str, list[str]], base: SearchFilters | None = None) -> SearchFilters:
    """Filters that narrow a search to the facet values chosen (keys as in ``SearchResult.facets``).

    Values of one facet are alternatives; facets combine. Years become a date range from the
    first chosen year to the end of the last. ``base`` supplies the filters already in force.
    """
    base = base or SearchFilters()
    years = sorted(int(year) for year in selected.get("year", []) if str(year).isdigit())
    return replace(
        base,
        doc_types=tuple(selected.get("doc_type", [])) or base.doc_types,
        publishers=tuple(selected.get("publisher", [])) or base.publishers,
        areas=tuple(selected.get("area", [])) or base.areas,
        date_from=dt.date(years[0], 1, 1) if years else base.date_from,
        date_to=dt.date(years[-1], 12, 31) if years else base.date_to,
    )


def _checked_themes(themes: tuple[str, ...]) -> set[str]:
    taxonomy = load_taxonomy()
    wanted = set()
    for name in themes:
        theme = taxonomy.canonical(name)
        if theme is None:
            raise QueryError(f"unknown theme {name!r}: use one of {', '.join(taxonomy.names)}")
        wanted.add(theme)
    return wanted


def _theme_counts(themes_of_passages: Iterable[list[str]]) -> dict[str, int]:
    """Passages per theme (a passage counts once for each theme whose cues it uses)."""
    counts: dict[str, int] = {}
    for themes in themes_of_passages:
        for theme in themes:
            counts[theme] = counts.get(theme, 0) + 1
    return counts


def parse_date(value: str, what: str) -> dt.date:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD, or QueryError naming ``what``."""
    text = value.strip()
    try:
        if len(text) == 4:
            return dt.date(int(text), 1, 1)
        if len(text) == 7:
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{what} {value!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY") from None
