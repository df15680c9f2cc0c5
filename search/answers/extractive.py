"""The extractive answer composer: choose the sentences of the retrieved passages that answer a question.

Each chosen sentence is quoted verbatim (whitespace tidied) with a numbered citation. Sentences are
scored against the question by meaning (the embedding model) and by the question's words they
contain; near-duplicates are dropped. For questions about what someone has to do, ``must`` duties
come first, then ``should``, and sources rank by authority. When no sentence reaches the support
threshold the composer reports low support, and the service abstains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from haystack import component

from search.answers.models import AnswerSentence, Citation
from search.answers.obligations import obligation_of, sentence_kind
from search.embedding import Embedder
from search.models import SearchHit
from search.snippets import prefix_stem
from search.store.keyword_index import query_terms
from search.text.sentences import clean, split_sentences

_DUTY_QUESTION = re.compile(
    r"\b(must|should|ha(ve|s) to|needs? to|required?|requirements?|duty|duties|obliged|expected|"
    r"responsibilit\w*|what (do|does|should) .{0,40}\bdo\b|how (quickly|soon|long|often))\b",
    re.IGNORECASE,
)
_PARAGRAPH_MARK = re.compile(r"(?m)^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=[A-Z(])")
_NATIONAL = ("department for education", "ofsted", "hm government", "home office", "department of health",
             "child safeguarding practice review panel", "dfe")
_OBLIGATION_RANK = {"must": 0, "should": 1, "may": 2}
MAX_SENTENCES = 3
MIN_WORDS, MAX_WORDS = 5, 90


def is_duty_question(question: str) -> bool:
    """True when the question asks what someone has to (or should) do."""
    return bool(_DUTY_QUESTION.search(question))


def authority_rank(hit: SearchHit) -> int:
    """0 statutory/national guidance, 1 national reviews and inspections, 2 local procedures and
    reviews, 3 committee papers and minutes, 4 statements and the rest."""
    national = any(name in (hit.publisher or "").lower() for name in _NATIONAL)
    if hit.doc_type == "guidance":
        return 0 if national else 2
    if hit.doc_type == "review":
        return 1 if national else 2
    if hit.doc_type == "procedure":
        return 2
    if hit.doc_type in ("committee_paper", "minutes"):
        return 3
    return 4


@dataclass(frozen=True)
class _Candidate:
    hit: SearchHit
    rank: int
    start: int
    end: int
    text: str
    paragraph: str | None


def _paragraph_at(passage: str, offset: int, fallback: str | None) -> str | None:
    number = None
    for match in _PARAGRAPH_MARK.finditer(passage):
        if match.start() > offset:
            break
        number = match.group(1)
    if number:
        return number
    return fallback.split("-")[0] if fallback else None


def _candidates(hits: list[SearchHit]) -> list[_Candidate]:
    found = []
    for rank, hit in enumerate(hits):
        for start, end, text in split_sentences(hit.text):
            sentence = clean(text)
            words = len(sentence.split())
            letters = sum(ch.isalpha() for ch in sentence)
            if not (MIN_WORDS <= words <= MAX_WORDS) or letters < 0.6 * len(sentence) or "...." in sentence:
                continue
            if _restates_a_title(sentence, hit.title):
                continue  # a reference, a heading or the document's own title, not an answer
            found.append(_Candidate(hit, rank, start, end, sentence, _paragraph_at(hit.text, start, hit.paragraph)))
    return found


def _restates_a_title(sentence: str, title: str) -> bool:
    words = set(query_terms(sentence))
    title_words = set(query_terms(title))
    return bool(words) and len(words & title_words) >= 0.6 * len(words) and len(words) <= len(title_words) + 6


def _coverage(question_stems: set[str], sentence: str) -> float:
    if not question_stems:
        return 0.0
    words = {prefix_stem(w) for w in query_terms(sentence)}
    return len(question_stems & words) / len(question_stems)


def _location(hit: SearchHit, start: int, end: int) -> tuple[int | None, int, int]:
    """The page of a sentence inside a passage and its offsets on that page's text.

    For a passage over two pages the offsets are unknown here (-1, -1): the service locates the
    quote on the page texts (see ``locate_quote``).
    """
    if hit.page is None or hit.page_end in (None, hit.page):
        return hit.page, hit.char_start + start, hit.char_start + end
    return hit.page, -1, -1


def locate_quote(quote: str, page_text: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` on a page whose text may wrap lines differently; None when absent."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, page_text)
    return (match.start(), match.end()) if match else None


@component
class ExtractiveAnswerer:
    """Chooses and cites the sentences of retrieved passages that answer a question.

    Parameters:
        embedder: the model used to score sentences against the question.
        threshold: the least support (0-1) a sentence needs to be used.
        max_sentences: most sentences in an answer.
    """

    def __init__(self, *, embedder: Embedder, threshold: float, max_sentences: int = MAX_SENTENCES) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.max_sentences = max_sentences

    @component.output_types(sentences=list[AnswerSentence], citations=list[Citation], support=float)
    def run(self, question: str, passages: list[SearchHit]) -> dict[str, object]:
        """Returns ``sentences`` and ``citations`` (empty when support is below the threshold) and
        ``support``, the best sentence's score."""
        candidates = _candidates(passages)
        if not candidates:
            return {"sentences": [], "citations": [], "support": 0.0}
        vectors = np.asarray(self.embedder.embed_passages([c.text for c in candidates]), dtype=np.float32)
        question_vector = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        stems = {prefix_stem(term) for term in query_terms(question)}
        # Meaning, the question's words, and a little of the retrieval's own ranking of the passage.
        scores = [
            0.7 * float(vector @ question_vector) + 0.3 * _coverage(stems, c.text) + 0.1 / (1 + c.rank)
            for c, vector in zip(candidates, vectors, strict=True)
        ]
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i].rank))
        support = scores[order[0]]
        if support < self.threshold:
            return {"sentences": [], "citations": [], "support": support}
        chosen: list[int] = []
        floor = max(self.threshold, support - 0.08)
        for index in order:
            if scores[index] < floor or len(chosen) == self.max_sentences:
                break
            if any(float(vectors[index] @ vectors[j]) > 0.88 for j in chosen):
                continue  # says what an already chosen sentence says
            chosen.append(index)
        if is_duty_question(question):
            chosen.sort(key=lambda i: (_duty_rank(candidates[i]), authority_rank(candidates[i].hit), -scores[i]))
        return self._cite([candidates[i] for i in chosen], support)

    def _cite(self, chosen: list[_Candidate], support: float) -> dict[str, object]:
        citations: list[Citation] = []
        numbers: dict[tuple[str, int | None, str | None, int], int] = {}
        sentences = []
        for candidate in chosen:
            hit = candidate.hit
            page, start, end = _location(hit, candidate.start, candidate.end)
            key = (hit.doc_id, page, candidate.paragraph, start)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(
                    Citation(
                        n=numbers[key], doc_id=hit.doc_id, title=hit.title, doc_type=hit.doc_type,
                        publisher=hit.publisher, published=hit.published, source=hit.source, page=page,
                        paragraph=candidate.paragraph, quote=candidate.text, section=hit.section,
                        char_start=start, char_end=end,
                    )
                )
            kind = sentence_kind(hit.doc_type, candidate.text)
            obligation = obligation_of(candidate.text) if kind == "requirement" else None
            sentences.append(AnswerSentence(candidate.text, (numbers[key],), obligation, kind))
        return {"sentences": sentences, "citations": citations, "support": support}


def _duty_rank(candidate: _Candidate) -> int:
    kind = sentence_kind(candidate.hit.doc_type, candidate.text)
    if kind != "requirement":
        return 4
    return _OBLIGATION_RANK.get(obligation_of(candidate.text) or "", 3)
