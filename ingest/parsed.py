"""What a loader hands to the chunker: the text of a document, page by page, with its structure."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A heading found by a loader in a document with explicit structure (HTML, DOCX, Markdown).

    ``page_index`` is a 0-based index into ``ParsedDocument.pages``; ``char_start``/``char_end``
    delimit the heading's text inside that page's text; ``level`` is 1 for the top level.
    """

    page_index: int
    char_start: int
    char_end: int
    level: int
    text: str


@dataclass
class ParsedDocument:
    """The text of one source file, ready to be chunked.

    ``pages`` holds the text of each page in order. ``paged`` is True when these are real
    pages (PDF: ``pages[i]`` is page ``i + 1``); formats without pages give one entry and
    ``paged=False``. ``headings`` lists explicit headings (empty when the format has none and
    the chunker must infer them, as for PDF). ``metadata`` holds what the loader could read
    or infer (keys from ``search.models.META_KEYS``: ``title``, ``publisher``, ``published``
    as an ISO date, ``doc_type``...), each overridable by a manifest or sidecar file.
    """

    source: str
    pages: list[str]
    paged: bool
    headings: list[Heading] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def page_count(self) -> int | None:
        """Number of pages, or None for formats without pages."""
        return len(self.pages) if self.paged else None

    @property
    def char_count(self) -> int:
        """Characters of text across all pages."""
        return sum(len(page) for page in self.pages)
