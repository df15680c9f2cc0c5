"""The records Lessons stores and returns: documents, chunks, filters and hits.

Metadata keys are listed once here (``META_KEYS``) and used everywhere else by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DOC_TYPES: tuple[str, ...] = (
    "guidance",
    "review",
    "committee_paper",
    "minutes",
    "statement",
    "procedure",
    "other",
)
"""The document types a document may have; ``other`` when nothing fits."""

ACCESS_LEVELS: tuple[str, ...] = ("public", "internal", "restricted")
"""Access levels, from least to most restricted."""

META_KEYS: tuple[str, ...] = (
    "doc_id",
    "title",
    "doc_type",
    "publisher",
    "published",
    "area",
    "source",
    "access",
    "page",
    "page_end",
    "section",
    "paragraph",
    "char_start",
    "char_end",
)
"""Every metadata key a chunk carries (snake_case, the one list)."""


@dataclass(frozen=True)
class DocumentRecord:
    """One indexed source document and its metadata.

    ``published`` is an ISO date (``YYYY-MM-DD``) or None when unknown;
    ``pages`` is None for formats without pages (HTML, DOCX, Markdown, text).
    ``content_hash`` is the SHA-256 of the file's bytes, used to skip unchanged files.
    """

    doc_id: str
    title: str
    doc_type: str
    source: str
    content_hash: str
    publisher: str | None = None
    published: str | None = None
    area: str | None = None
    access: str = "public"
    pages: int | None = None
    chunks: int = 0
    series: str | None = None
    indexed_at: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The record as plain JSON-ready values."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "doc_type": self.doc_type,
            "publisher": self.publisher,
            "published": self.published,
            "area": self.area,
            "source": self.source,
            "pages": self.pages,
            "chunks": self.chunks,
            "access": self.access,
            "series": self.series,
            "content_hash": self.content_hash,
            "indexed_at": self.indexed_at,
        }


@dataclass(frozen=True)
class ChunkRecord:
    """A passage of a document as stored: text, position and embedding.

    ``page``/``page_end`` are 1-based page indexes (None without pages).
    ``char_start`` is an offset into the text of ``page``; ``char_end`` an offset
    into the text of ``page_end`` (the same page for most chunks), so that a
    viewer can highlight the passage on the page.
    ``section`` is the heading path joined with `` > ``; ``paragraph`` the
    document's own paragraph number where it numbers them (e.g. ``"114"``).
    """

    doc_id: str
    ordinal: int
    text: str
    page: int | None = None
    page_end: int | None = None
    section: str | None = None
    paragraph: str | None = None
    char_start: int = 0
    char_end: int = 0
    embedding: list[float] | None = None

    @property
    def chunk_id(self) -> str:
        """Stable id of the chunk: the document id and the chunk's ordinal."""
        return f"{self.doc_id}#{self.ordinal}"

    def position(self) -> dict[str, object]:
        """Where the chunk sits (document, ordinal, pages, section, paragraph, offsets): the metadata
        every backend and the dump format carry beside its text."""
        return {
            "doc_id": self.doc_id,
            "ordinal": self.ordinal,
            "page": self.page,
            "page_end": self.page_end,
            "section": self.section,
            "paragraph": self.paragraph,
            "char_start": self.char_start,
            "char_end": self.char_end,
        }


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which chunks a search may return (all optional, combined with AND).

    Each tuple field matches any of its values. Dates are inclusive.
    ``access`` lists the access levels the caller may see.
    """

    doc_types: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def is_empty(self) -> bool:
        """True when the filters restrict nothing."""
        return not (
            self.doc_types
            or self.publishers
            or self.areas
            or self.access
            or self.doc_ids
            or self.date_from
            or self.date_to
        )

    def admits(self, document: DocumentRecord) -> bool:
        """Whether a document passes these filters."""
        if self.doc_types and document.doc_type not in self.doc_types:
            return False
        if self.publishers and (document.publisher or "") not in self.publishers:
            return False
        if self.areas and (document.area or "") not in self.areas:
            return False
        if self.access and document.access not in self.access:
            return False
        if self.doc_ids and document.doc_id not in self.doc_ids:
            return False
        return within_dates(document.published, self.date_from, self.date_to)


def within_dates(published: str | None, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    """Whether an ISO date lies in the inclusive range (always, with no range; never when undated)."""
    if not (date_from or date_to):
        return True
    if not published:
        return False
    day = dt.date.fromisoformat(published)
    return not ((date_from and day < date_from) or (date_to and day > date_to))


@dataclass(frozen=True)
class SearchHit:
    """One passage found by a search, with its document's metadata and a marked snippet."""

    doc_id: str
    title: str
    doc_type: str
    publisher: str | None
    published: str | None
    source: str
    page: int | None
    page_end: int | None
    section: str | None
    paragraph: str | None
    score: float
    text: str
    snippet: str
    char_start: int
    char_end: int
    chunk_id: str
    access: str = "public"
    area: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()
    """Spans of ``snippet`` that match the query (for highlighting without markup)."""

    def as_dict(self) -> dict[str, object]:
        """The hit as the JSON object of ``lessons search --json``."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "doc_type": self.doc_type,
            "publisher": self.publisher,
            "published": self.published,
            "source": self.source,
            "page": self.page,
            "section": self.section,
            "paragraph": self.paragraph,
            "score": round(self.score, 6),
            "text": self.text,
        }


@dataclass(frozen=True)
class SearchResult:
    """The answer to one search: the query, its hits and facet counts over all matches."""

    query: str
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The result as one JSON line of ``lessons search --json``."""
        return {"query": self.query, "hits": [hit.as_dict() for hit in self.hits]}


@dataclass(frozen=True)
class StoreStats:
    """Counts and sizes describing a store."""

    documents: int
    chunks: int
    by_type: dict[str, int]
    size_bytes: int
    backend: str
    data_dir: str
    model: str
    last_indexed: str | None

    def as_dict(self) -> dict[str, object]:
        """The stats as JSON-ready values."""
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "by_type": self.by_type,
            "size_bytes": self.size_bytes,
            "backend": self.backend,
            "data_dir": self.data_dir,
            "model": self.model,
            "last_indexed": self.last_indexed,
        }
