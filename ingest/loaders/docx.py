"""Load a Word (.docx) file with python-docx: paragraphs, headings and tables in order."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.loaders._common import human_size, normalise_text
from ingest.metadata import looks_like_organisation
from ingest.parsed import Heading, ParsedDocument
from search.errors import DocumentError

_ZIP_BOMB_CAP = 200 * 1024 * 1024
_HEADING_STYLE = re.compile(r"^Heading\s+([1-9])$", re.IGNORECASE)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when an XML part holds a DTD or entity declaration anywhere.

    Word never writes one (and text inside a part is escaped, so ``<!`` cannot be content); a DTD
    is how XML entity attacks (external entities that read local files or fetch URLs, "billion
    laughs" expansion) get in, so such files are refused before any XML parser sees them.
    """
    tail = b""
    with archive.open(info) as part:
        while block := part.read(256 * 1024):
            if _DTD.search(tail + block):
                return True
            tail = block[-16:]
    return False


def _check_archive(path: Path, max_bytes: int) -> None:
    """Refuse files that are not DOCX archives, or that would expand suspiciously."""
    if not zipfile.is_zipfile(path):
        raise DocumentError(str(path), "corrupt DOCX (not a zip archive): re-save it from Word as .docx")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(
            str(path), f"corrupt DOCX ({type(exc).__name__}: {exc}): re-save it from Word as .docx"
        ) from exc
    if not any(info.filename == "word/document.xml" for info in infos):
        raise DocumentError(str(path), "corrupt DOCX (no word/document.xml inside): re-save it from Word as .docx")
    expanded = sum(info.file_size for info in infos)
    if expanded <= min(20 * max_bytes, _ZIP_BOMB_CAP):
        xml_parts = [info for info in infos if info.filename.endswith((".xml", ".rels"))]
        with zipfile.ZipFile(path) as archive:
            unsafe = next((info.filename for info in xml_parts if _declares_dtd(archive, info)), None)
        if unsafe:
            raise DocumentError(
                str(path),
                f"DOCX part {unsafe} declares a DOCTYPE, which Word never writes: refusing a possible "
                "XML entity attack; re-save the document from Word",
            )
    if expanded > min(20 * max_bytes, _ZIP_BOMB_CAP):
        raise DocumentError(
            str(path),
            f"DOCX expands to {human_size(expanded)}: refusing a possible zip bomb; "
            "re-save the document without embedded media",
        )


def _heading_level(paragraph: Paragraph) -> int | None:
    try:
        name = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, AttributeError):  # styles missing from styles.xml
        return None
    if not name:
        return None
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) if match else None


def _table_rows(table: Table) -> list[str]:
    """Each row as its cells' text joined by " | " (merged cells counted once)."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell repeats across the grid
                continue
            previous = cell._tc
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def load_docx(path: Path, *, max_bytes: int) -> ParsedDocument:
    """Read a DOCX's body text in order, recording heading paragraphs as Heading spans.

    Parameters: ``path`` the .docx file; ``max_bytes`` the size limit used for the zip-bomb check.
    Returns one unpaged page of text (one line per paragraph or table row) with headings,
    and metadata ``title``, ``publisher``, ``created`` from the core properties.
    """
    _check_archive(path, max_bytes)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors...
        raise DocumentError(str(path), f"corrupt DOCX ({type(exc).__name__}): re-save it from Word as .docx") from exc

    lines: list[str] = []
    headings: list[Heading] = []
    offset = 0
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                text = normalise_text(" ".join(block.text.split()))
                if not text:
                    continue
                level = _heading_level(block)
                if level is not None:
                    headings.append(Heading(0, offset, offset + len(text), level, text))
                block_lines = [text]
            else:
                block_lines = _table_rows(block)
            for line in block_lines:
                lines.append(line)
                offset += len(line) + 1
        props = document.core_properties
        metadata: dict[str, str] = {}
        if props.title and props.title.strip():
            metadata["title"] = " ".join(props.title.split())
        if props.author and looks_like_organisation(props.author):
            metadata["publisher"] = " ".join(props.author.split())
        if props.created is not None:
            metadata["created"] = props.created.date().isoformat()
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(
            str(path), f"corrupt DOCX ({type(exc).__name__}: {exc}): re-save it from Word as .docx"
        ) from exc
    text = "\n".join(lines)
    if not text.strip():
        raise DocumentError(str(path), "DOCX has no text: check it is not only images or a blank form")
    return ParsedDocument(source=str(path), pages=[text], paged=False, headings=headings, metadata=metadata)
