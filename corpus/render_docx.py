"""Render a source document to a reproducible DOCX with real Heading styles."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.shared import Pt

from corpus.source_document import (
    FICTIONAL_FOOTER,
    FICTIONAL_MARKER,
    Bullet,
    Heading,
    PageBreak,
    Paragraph,
    SourceDocument,
    Table,
)

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def render_docx(document: SourceDocument) -> bytes:
    """Return the DOCX bytes for ``document``; identical input gives identical bytes."""
    meta = document.meta
    word = docx.Document()
    properties = word.core_properties
    properties.title = meta.title
    properties.author = meta.author
    properties.subject = meta.subject or meta.title
    properties.keywords = f"{meta.doc_type}, fictional sample, Lessons"
    properties.last_modified_by = meta.author
    properties.created = meta.created.replace(tzinfo=None)
    properties.modified = meta.created.replace(tzinfo=None)
    properties.revision = 1
    properties.comments = FICTIONAL_MARKER

    marker = word.add_paragraph()
    run = marker.add_run(FICTIONAL_MARKER)
    run.bold = True
    run.font.size = Pt(9)
    footer = word.sections[0].footer.paragraphs[0]
    footer.text = f"{FICTIONAL_FOOTER}. {meta.title}"

    for block in document.blocks:
        if isinstance(block, PageBreak):
            word.add_page_break()
        elif isinstance(block, Heading):
            word.add_heading(block.text, level=min(block.level, 4))
        elif isinstance(block, Paragraph):
            word.add_paragraph(block.text)
        elif isinstance(block, Bullet):
            word.add_paragraph(block.text, style="List Bullet")
        elif isinstance(block, Table):
            table = word.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row, cells in zip(table.rows, block.rows, strict=True):
                for cell, text in zip(row.cells, cells, strict=True):
                    cell.text = text
        else:
            raise TypeError(f"unknown block {block!r}")

    buffer = io.BytesIO()
    word.save(buffer)
    return _with_fixed_timestamps(buffer.getvalue())


def _with_fixed_timestamps(package: bytes) -> bytes:
    """python-docx stamps zip entries with the current time; rewrite them with a fixed one."""
    source = zipfile.ZipFile(io.BytesIO(package))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(item.filename))
    return output.getvalue()
