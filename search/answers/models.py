"""What an answer is made of: sentences, each with its citations and obligation strength."""

from __future__ import annotations

from dataclasses import dataclass, field

from search.models import SearchHit

OBLIGATIONS: tuple[str, ...] = ("must", "should", "may")
"""Obligation strengths of guidance sentences, strongest first (None when a sentence states none)."""

LABELS: dict[str, str] = {
    "must": "Required",
    "should": "Expected",
    "finding": "Finding",
    "recommendation": "Recommendation",
}
"""How each kind of answer sentence is labelled for a reader."""


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the passage quoted, where it is, and how to open it.

    ``quote`` is the exact text cited; ``char_start``/``char_end`` locate it on ``page``'s text
    (for highlighting). ``edition`` names the edition cited when the document is one of a series;
    ``superseded`` is True when a later edition exists in the store.
    """

    n: int
    doc_id: str
    title: str
    doc_type: str
    publisher: str | None
    published: str | None
    source: str
    page: int | None
    paragraph: str | None
    quote: str
    section: str | None = None
    char_start: int = 0
    char_end: int = 0
    edition: str | None = None
    superseded: bool = False

    @property
    def label(self) -> str:
        """Short reference, e.g. 'Keeping children safe in education 2024, para 114, p. 37'."""
        parts = [self.title]
        if self.paragraph:
            parts.append(f"para {self.paragraph}")
        if self.page:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        """The citation as the JSON of ``lessons ask --json``."""
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "title": self.title,
            "doc_type": self.doc_type,
            "publisher": self.publisher,
            "published": self.published,
            "source": self.source,
            "page": self.page,
            "paragraph": self.paragraph,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer with the citation numbers that support it.

    ``obligation`` is 'must', 'should', 'may' or None; ``kind`` says what the sentence is
    ('requirement' for guidance and procedures, 'finding' or 'recommendation' for reviews and
    committee papers, 'statement' otherwise); ``supported`` is False for a generated sentence
    that no cited passage supports (such sentences are marked, never passed off as sourced).
    """

    text: str
    citations: tuple[int, ...]
    obligation: str | None = None
    kind: str = "statement"
    supported: bool = True

    @property
    def label(self) -> str | None:
        """'Required', 'Expected', 'Finding', 'Recommendation' or None."""
        if self.kind == "requirement" and self.obligation in ("must", "should"):
            return LABELS[self.obligation]
        return LABELS.get(self.kind)

    def as_dict(self) -> dict[str, object]:
        """The sentence as JSON."""
        return {
            "text": self.text,
            "citations": list(self.citations),
            "obligation": self.obligation,
            "label": self.label,
            "supported": self.supported,
        }


@dataclass(frozen=True)
class Answer:
    """The answer to one question.

    ``answer`` is the composed text with ``[n]`` markers; ``abstained`` is True when the documents
    do not support an answer, and then ``message`` says so and ``nearest`` holds the closest
    passages. ``notices`` tell the reader what was done to the question or the answer (a
    truncated question, a superseded edition, a generative endpoint that failed).
    """

    question: str
    answer: str
    abstained: bool
    sentences: list[AnswerSentence]
    citations: list[Citation]
    message: str | None = None
    nearest: list[SearchHit] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    as_at: str | None = None
    method: str = "extractive"
    support: float = 0.0
    passages: list[SearchHit] = field(default_factory=list)
    """The passages retrieved for the question, best first (what the answer drew on)."""

    def as_dict(self) -> dict[str, object]:
        """The answer as one JSON object of ``lessons ask --json``."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "message": self.message,
            "sentences": [s.as_dict() for s in self.sentences],
            "citations": [c.as_dict() for c in self.citations],
            "nearest": [h.as_dict() for h in self.nearest],
            "notices": self.notices,
            "as_at": self.as_at,
            "method": self.method,
            "support": round(self.support, 4),
        }
