"""The extractive answer composer: choose the sentences of the retrieved passages that answer a question.

Each chosen sentence is quoted verbatim (whitespace tidied) with a numbered citation. Every
candidate sentence is first scored from its words, the kind of answer it states, its duty and its
source (``search.answers.scoring``); only the best ``embed_limit`` of them go through the model,
whose similarity to the question completes the score. Sentence vectors are cached by text, and
the question's vector is the one retrieval already made. Near-duplicates are dropped. For
questions about what someone has to do, ``must`` duties come first, then ``should``, and sources
rank by authority. When no sentence reaches the support threshold the composer reports low
support, and the service abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from haystack import component

from search.answers.models import AnswerSentence, Citation
from search.answers.obligations import obligation_of, sentence_kind
from search.answers.scoring import (
    QuestionProfile,
    SentenceFeatures,
    authority_rank,
    duty_order,
    inverse_frequencies,
    sentence_features,
    stems_of,
)
from search.answers.sentence_vectors import SentenceVectorCache
from search.embedding import Embedder
from search.models import SearchHit
from search.store.keyword_index import query_terms
from search.text.sentences import clean, split_sentences

_PARAGRAPH_MARK = re.compile(r"(?m)^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=[A-Z(])")
MAX_SENTENCES = 3
MIN_WORDS, MAX_WORDS = 5, 90
EMBED_LIMIT = 8
"""Candidate sentences embedded per question (the best by lexical score); see the module docstring."""
MEANING_WEIGHT = 0.6
"""Weight of the model's cosine similarity between question and sentence in the final score."""
ANSWER_WINDOW = 0.12
"""Sentences within this much of the best one's score join the answer (up to ``max_sentences``)."""
DUPLICATE_SIMILARITY = 0.88
"""Two sentences this similar say the same thing; the weaker is dropped."""


@dataclass(frozen=True)
class _Candidate:
    hit: SearchHit
    rank: int
    start: int
    end: int
    text: str
    paragraph: str | None
    stems: tuple[str, ...]


def _paragraph_at(passage: str, offset: int, fallback: str | None) -> str | None:
    number = None
    for match in _PARAGRAPH_MARK.finditer(passage):
        if match.start() > offset:
            break
        number = match.group(1)
    if number:
        return number
    return fallback.split("-")[0] if fallback else None


def _candidates(hits: Sequence[SearchHit]) -> list[_Candidate]:
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
            found.append(
                _Candidate(
                    hit,
                    rank,
                    start,
                    end,
                    sentence,
                    _paragraph_at(hit.text, start, hit.paragraph),
                    tuple(stems_of(sentence)),
                )
            )
    return found


def _restates_a_title(sentence: str, title: str) -> bool:
    words = set(query_terms(sentence))
    title_words = set(query_terms(title))
    return bool(words) and len(words & title_words) >= 0.6 * len(words) and len(words) <= len(title_words) + 6


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


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence with its lexical features and, once embedded, its similarity to the question."""

    candidate: _Candidate
    features: SentenceFeatures
    meaning: float

    @property
    def score(self) -> float:
        """The final score: the model's similarity plus the lexical evidence."""
        return MEANING_WEIGHT * self.meaning + self.features.total

    @property
    def support(self) -> float:
        """How far the sentence shows that the documents cover the question (see ``SentenceFeatures.topical``)."""
        return MEANING_WEIGHT * self.meaning + self.features.topical


def score_sentences(
    question: str,
    passages: Sequence[SearchHit],
    embedder: Embedder,
    *,
    question_embedding: Sequence[float] | None = None,
    cache: SentenceVectorCache | None = None,
    embed_limit: int = EMBED_LIMIT,
) -> tuple[list[ScoredSentence], np.ndarray]:
    """Score the sentences of ``passages`` against ``question``, best first.

    Only the ``embed_limit`` best by lexical score are embedded and returned (with their vectors,
    a row each in the same order); ``question_embedding`` saves embedding the question again.
    """
    candidates = _candidates(passages)
    if not candidates:
        return [], np.zeros((0, 0), dtype=np.float32)
    profile = QuestionProfile.of(question).with_acronyms([c.text for c in candidates])
    idf = inverse_frequencies([c.stems for c in candidates])
    default_idf = math.log(1 + (len(candidates) + 0.5) / 0.5)
    titles = sorted({" ".join(stems_of(hit.title)) for hit in passages if hit.title})
    features = [
        sentence_features(
            profile,
            c.text,
            set(c.stems),
            c.hit,
            c.rank,
            idf=idf,
            default_idf=default_idf,
            titles=titles,
            ordered=c.stems,
        )
        for c in candidates
    ]
    kept = sorted(range(len(candidates)), key=lambda i: (-features[i].total, candidates[i].rank))[: max(1, embed_limit)]
    texts = [candidates[i].text for i in kept]
    vectors = (cache if cache is not None else SentenceVectorCache(0)).embed(texts, embedder)
    if question_embedding is None:
        question_embedding = embedder.embed_query(question)
    meanings = vectors @ np.asarray(question_embedding, dtype=np.float32)
    scored = [
        ScoredSentence(candidates[i], features[i], float(meaning)) for i, meaning in zip(kept, meanings, strict=True)
    ]
    order = sorted(range(len(scored)), key=lambda j: (-scored[j].score, scored[j].candidate.rank))
    return [scored[j] for j in order], vectors[order]


def support_of(scored: Sequence[ScoredSentence]) -> float:
    """How well the documents support an answer: the best sentence's support (0 without sentences)."""
    return scored[0].support if scored else 0.0


@component
class ExtractiveAnswerer:
    """Chooses and cites the sentences of retrieved passages that answer a question.

    Parameters:
        embedder: the model used to score sentences against the question.
        threshold: the least support (see ``support_of``) an answer needs.
        max_sentences: most sentences in an answer.
        embed_limit: most candidate sentences embedded (the best by lexical score).
        cache: sentence vectors kept between questions (None: no cache).
    """

    def __init__(
        self,
        *,
        embedder: Embedder,
        threshold: float,
        max_sentences: int = MAX_SENTENCES,
        embed_limit: int = EMBED_LIMIT,
        cache: SentenceVectorCache | None = None,
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.embed_limit = embed_limit
        self.cache = cache

    @component.output_types(sentences=list[AnswerSentence], citations=list[Citation], support=float)
    def run(
        self, question: str, passages: list[SearchHit], question_embedding: list[float] | None = None
    ) -> dict[str, object]:
        """Returns ``sentences`` and ``citations`` (empty when support is below the threshold) and
        ``support``, the best sentence's score. ``question_embedding`` is the question's vector when
        retrieval already made it."""
        scored, vectors = score_sentences(
            question,
            passages,
            self.embedder,
            question_embedding=question_embedding,
            cache=self.cache,
            embed_limit=self.embed_limit,
        )
        if not scored:
            return {"sentences": [], "citations": [], "support": 0.0}
        support = support_of(scored)
        if support < self.threshold:
            return {"sentences": [], "citations": [], "support": support}
        chosen: list[int] = []
        floor = scored[0].score - ANSWER_WINDOW
        for index, sentence in enumerate(scored):
            if sentence.score < floor or len(chosen) == self.max_sentences:
                break
            if any(float(vectors[index] @ vectors[j]) > DUPLICATE_SIMILARITY for j in chosen):
                continue  # says what an already chosen sentence says
            chosen.append(index)
        if QuestionProfile.of(question).duty:
            chosen.sort(
                key=lambda i: (
                    duty_order(scored[i].candidate.hit, scored[i].candidate.text),
                    authority_rank(scored[i].candidate.hit),
                    -scored[i].score,
                )
            )
        return self._cite([scored[i].candidate for i in chosen], support)

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
                        n=numbers[key],
                        doc_id=hit.doc_id,
                        title=hit.title,
                        doc_type=hit.doc_type,
                        publisher=hit.publisher,
                        published=hit.published,
                        source=hit.source,
                        page=page,
                        paragraph=candidate.paragraph,
                        quote=candidate.text,
                        section=hit.section,
                        char_start=start,
                        char_end=end,
                    )
                )
            kind = sentence_kind(hit.doc_type, candidate.text)
            obligation = obligation_of(candidate.text) if kind == "requirement" else None
            sentences.append(AnswerSentence(candidate.text, (numbers[key],), obligation, kind))
        return {"sentences": sentences, "citations": citations, "support": support}
