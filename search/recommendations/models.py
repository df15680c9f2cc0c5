"""The records of the recommendations register: what was recommended, by whom, when, and what happened.

``Recommendation`` is what lists and exports show (its ``to_json`` keys are the public JSON of
``lessons recommendations --json``); ``RecommendationDetail`` adds why each theme was given, the
status history gathered from later documents, and the chain of documents that made the same
recommendation. ``ExtractedRecommendation`` and ``RecommendationMention`` are what the write path
(``ingest/recommendations``) finds in one document before the register stores it.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES: tuple[str, ...] = (
    "accepted",
    "partly accepted",
    "rejected",
    "in progress",
    "implemented",
    "not implemented",
)
"""Statuses a document may report for a recommendation ("not implemented": reported as not, or not fully, done)."""

MADE_BY: tuple[str, ...] = ("review", "committee", "inspectorate", "other")
"""The kinds of body that make recommendations."""

JSON_KEYS: tuple[str, ...] = (
    "id",
    "text",
    "doc_id",
    "title",
    "source",
    "page",
    "number",
    "date",
    "made_by",
    "addressee",
    "themes",
    "status",
    "status_evidence",
    "recurrence_group",
    "similar",
)
"""The keys of one recommendation in JSON and CSV, in order."""


@dataclass(frozen=True)
class Recommendation:
    """One recommendation as the register holds it.

    ``text`` is verbatim from the document (checked to occur on ``page``, or to run on from it to
    the next page); ``page`` is None for formats without pages. ``number`` is the document's own
    label: "3" for "Recommendation 3", "para 4.1" for a sentence in paragraph 4.1, "item 2" for the
    second bullet of an unnumbered list. ``date`` is the document's publication date (ISO).
    ``status`` is the latest status any document reports, quoted in ``status_evidence``.
    ``recurrence_group`` names the chain of recommendations saying the same thing (None when it
    stands alone); ``similar`` lists the ids of the others in that chain.
    """

    id: str
    text: str
    doc_id: str
    title: str
    source: str
    page: int | None
    number: str | None
    date: str | None
    made_by: str
    addressee: str | None
    themes: tuple[str, ...] = ()
    status: str | None = None
    status_evidence: str | None = None
    recurrence_group: str | None = None
    similar: tuple[str, ...] = ()

    @property
    def recurring(self) -> bool:
        """True when the same recommendation was made in at least one other document."""
        return bool(self.recurrence_group) and bool(self.similar)

    def to_json(self) -> dict[str, object]:
        """The record as the JSON object of ``lessons recommendations --json`` (exactly ``JSON_KEYS``)."""
        return {
            "id": self.id,
            "text": self.text,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "page": self.page,
            "number": self.number,
            "date": self.date,
            "made_by": self.made_by,
            "addressee": self.addressee,
            "themes": list(self.themes),
            "status": self.status,
            "status_evidence": self.status_evidence,
            "recurrence_group": self.recurrence_group,
            "similar": list(self.similar),
        }


@dataclass(frozen=True)
class ThemeReason:
    """Why a theme was given: a keyword cue found in the text, or closeness in meaning to the theme."""

    theme: str
    why: str
    score: float

    def to_json(self) -> dict[str, object]:
        """JSON-ready values."""
        return {"theme": self.theme, "why": self.why, "score": round(self.score, 3)}


@dataclass(frozen=True)
class StatusEvent:
    """A later document reporting on a recommendation.

    ``status`` is None when the document refers to the recommendation without giving a status
    (for example a procedure that says it implements it). ``evidence`` is the quoted passage.
    """

    date: str | None
    status: str | None
    doc_id: str
    title: str
    page: int | None
    evidence: str
    source: str

    def to_json(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "date": self.date,
            "status": self.status,
            "doc_id": self.doc_id,
            "title": self.title,
            "page": self.page,
            "evidence": self.evidence,
            "source": self.source,
        }


@dataclass(frozen=True)
class RecurrenceLink:
    """One recommendation in a recurrence chain, with the quote that shows what it said."""

    rec_id: str
    doc_id: str
    title: str
    date: str | None
    page: int | None
    number: str | None
    quote: str
    status: str | None = None

    def citation(self) -> str:
        """A short citation: "Review of ... (2020-08-27) p. 10"."""
        where = f" p. {self.page}" if self.page else ""
        when = f" ({self.date})" if self.date else ""
        return f"{self.title}{when}{where}"

    def to_json(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "id": self.rec_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "date": self.date,
            "page": self.page,
            "number": self.number,
            "quote": self.quote,
            "status": self.status,
        }


@dataclass(frozen=True)
class RecurrenceChain:
    """Recommendations from several documents that say the same thing, oldest first.

    ``recurring`` is True when they come from two or more documents.
    """

    group_id: str
    label: str
    links: tuple[RecurrenceLink, ...]

    @property
    def documents(self) -> int:
        """How many documents made this recommendation."""
        return len({link.doc_id for link in self.links})

    @property
    def recurring(self) -> bool:
        """True when made in two or more documents."""
        return self.documents >= 2

    def summary(self) -> str:
        """One line: "made in <title> (date) p. 12; again in ... p. 8"."""
        parts = []
        for index, link in enumerate(self.links):
            parts.append(("made in " if index == 0 else "again in ") + link.citation())
        return "; ".join(parts)

    def to_json(self) -> dict[str, object]:
        """JSON-ready values."""
        return {
            "group_id": self.group_id,
            "label": self.label,
            "recurring": self.recurring,
            "links": [link.to_json() for link in self.links],
        }


@dataclass(frozen=True)
class RecommendationDetail:
    """One recommendation with everything known about it, for a committee member to read in one place."""

    record: Recommendation
    theme_reasons: tuple[ThemeReason, ...] = ()
    status_history: tuple[StatusEvent, ...] = ()
    chain: RecurrenceChain | None = None
    page_end: int | None = None

    def to_json(self) -> dict[str, object]:
        """JSON-ready values: the record plus reasons, history and chain."""
        return {
            **self.record.to_json(),
            "page_end": self.page_end,
            "theme_reasons": [reason.to_json() for reason in self.theme_reasons],
            "status_history": [event.to_json() for event in self.status_history],
            "chain": self.chain.to_json() if self.chain else None,
        }


# -- what the write path extracts from one document ---------------------------------------------
@dataclass(frozen=True)
class ExtractedRecommendation:
    """A recommendation found in one document, before the register stores it.

    ``key`` is unique within the document and stable while its text is unchanged ("R3",
    "p4.1", "L2.3"); the register's id is ``doc_id:key``. ``rec_number`` is the number other
    documents can cite it by ("Recommendation 3"), when it has one. ``page_end`` is the page the
    text runs on to (the same as ``page`` for most). ``own_status`` is a status the same sentence
    reports ("...; this was accepted").
    """

    key: str
    text: str
    page: int
    page_end: int
    number: str | None
    rec_number: int | None
    made_by: str
    addressee: str | None
    own_status: str | None = None
    own_status_evidence: str | None = None


@dataclass(frozen=True)
class RecommendationMention:
    """A passage citing recommendations by number, often with their status ("Recommendation 2: implemented").

    ``numbers`` are the cited numbers; ``all_of`` is set instead for "accepts all ten
    recommendations of the review" (the count). ``statuses`` are in the order the passage gives
    them (empty when it gives none). ``description`` is what the passage says the recommendation
    was about ("structured MASH decision form in Compass"); ``cue`` the words naming the document
    it belongs to ("of the 2016 LSCB audit", "Scrutiny"). ``repeats`` is True when the passage
    says a recommendation repeats the cited one; ``within`` is the key of the recommendation whose
    text holds the passage, if any. ``under`` is the index (in the document's list of mentions) of
    the heading citation whose section holds this one ("Scrutiny Recommendation 2: ..." heading a
    response that says "this directly addresses Recommendation 1 of the 2020 review").
    """

    page: int
    numbers: tuple[int, ...]
    statuses: tuple[str, ...]
    description: str
    cue: str
    evidence: str
    all_of: int | None = None
    repeats: bool = False
    within: str | None = None
    under: int | None = None
