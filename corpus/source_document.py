"""Parse a corpus source file: TOML front matter between ``+++`` lines, then a small markdown subset.

The subset is what the sample documents need and nothing more:
``# `` / ``## `` / ``### `` headings, paragraphs separated by blank lines, ``- `` bullets,
``|`` table rows (the first row is the header) and a ``<!-- pagebreak -->`` line.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DOC_TYPES = ("guidance", "review", "committee_paper", "minutes", "statement", "procedure", "other")
ACCESS_LEVELS = ("public", "internal", "restricted")
FORMATS = ("pdf", "docx", "html", "md")
PAGE_BREAK = "<!-- pagebreak -->"
FICTIONAL_MARKER = "FICTIONAL SAMPLE DOCUMENT - written for the Lessons project; not a real council"
FICTIONAL_FOOTER = "Fictional sample document for the Lessons project - not a real council"
DEFAULT_PUBLISHER = "Marshfield County Council"
DEFAULT_AREA = "Marshfield"


class SourceFormatError(ValueError):
    """A source file is malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullet:
    text: str


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Bullet | Table | PageBreak


@dataclass(frozen=True)
class DocumentMeta:
    """Metadata of one sample document, as written to the manifest."""

    doc_id: str
    title: str
    doc_type: str
    published: dt.date
    format: str
    publisher: str = DEFAULT_PUBLISHER
    area: str = DEFAULT_AREA
    access: str = "public"
    series: str | None = None
    author: str = DEFAULT_PUBLISHER
    subject: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.doc_id}.{self.format}"

    @property
    def created(self) -> dt.datetime:
        """A fixed creation time (09:00 UTC on the publication date) so builds are reproducible."""
        return dt.datetime.combine(self.published, dt.time(9, 0), tzinfo=dt.UTC)


@dataclass(frozen=True)
class SourceDocument:
    meta: DocumentMeta
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def _parse_meta(front_matter: str, path: Path) -> DocumentMeta:
    raw = tomllib.loads(front_matter)
    try:
        meta = DocumentMeta(**raw)
    except TypeError as error:
        raise SourceFormatError(f"{path}: bad front matter ({error}); see corpus/README.md") from error
    checks = [
        (meta.doc_type in DOC_TYPES, f"doc_type {meta.doc_type!r} is not one of {DOC_TYPES}"),
        (meta.access in ACCESS_LEVELS, f"access {meta.access!r} is not one of {ACCESS_LEVELS}"),
        (meta.format in FORMATS, f"format {meta.format!r} is not one of {FORMATS}"),
        (isinstance(meta.published, dt.date), "published must be a TOML date such as 2020-08-27"),
    ]
    for ok, message in checks:
        if not ok:
            raise SourceFormatError(f"{path}: {message}")
    return meta


def _parse_body(body: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    table: list[tuple[str, ...]] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Paragraph(" ".join(paragraph)))
            paragraph.clear()
        if table:
            blocks.append(Table(tuple(table)))
            table.clear()

    for raw_line in body.splitlines():
        line = raw_line.strip()
        if not line:
            flush()
        elif line == PAGE_BREAK:
            flush()
            blocks.append(PageBreak())
        elif line.startswith("#"):
            flush()
            marks, _, text = line.partition(" ")
            blocks.append(Heading(len(marks), text.strip()))
        elif line.startswith("- "):
            flush()
            blocks.append(Bullet(line[2:].strip()))
        elif line.startswith("|"):
            if paragraph:
                flush()
            cells = tuple(cell.strip() for cell in line.strip("|").split("|"))
            # A markdown separator row (|---|---|) carries no content.
            if not all(set(cell) <= set("-: ") for cell in cells):
                table.append(cells)
        else:
            if table:
                flush()
            paragraph.append(line)
    flush()
    return tuple(blocks)


def read_source(path: Path) -> SourceDocument:
    """Read one source file.

    Parameters: path -- a ``.md`` file under ``corpus/sources``.
    Returns the document's metadata and its blocks.
    Raises SourceFormatError when the front matter is missing or invalid.
    """
    text = path.read_text(encoding="utf-8")
    if not text.startswith("+++\n"):
        raise SourceFormatError(f"{path}: must start with a '+++' line opening the TOML front matter")
    front_matter, separator, body = text[4:].partition("\n+++\n")
    if not separator:
        raise SourceFormatError(f"{path}: front matter is not closed by a '+++' line")
    return SourceDocument(meta=_parse_meta(front_matter, path), blocks=_parse_body(body))
