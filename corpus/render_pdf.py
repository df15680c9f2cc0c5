"""Render a source document to a reproducible PDF with fpdf2 and a core font."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

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

# Core fonts only cover latin-1, so typographic punctuation is folded to ASCII.
_ASCII_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2022": "-",
    }
)
_HEADING_SIZES = {1: 17, 2: 13.5, 3: 11.5}
_BODY_SIZE = 12
_LINE_HEIGHT = 6.4


def latin1(text: str) -> str:
    """Fold punctuation to ASCII; raise ValueError for any character a core font cannot draw."""
    folded = text.translate(_ASCII_PUNCTUATION)
    folded.encode("latin-1")
    return folded


class _SamplePdf(FPDF):
    """An FPDF whose every page carries the fictional-document footer."""

    def __init__(self, short_title: str) -> None:
        super().__init__(format="A4")
        self.short_title = short_title

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "I", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{FICTIONAL_FOOTER}. {self.short_title}. Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def render_pdf(document: SourceDocument) -> bytes:
    """Return the PDF bytes for ``document``; identical input gives identical bytes."""
    meta = document.meta
    short_title = meta.title if len(meta.title) <= 70 else meta.title[:67] + "..."
    pdf = _SamplePdf(latin1(short_title))
    pdf.set_creation_date(meta.created)
    pdf.set_title(latin1(meta.title))
    pdf.set_author(latin1(meta.author))
    pdf.set_subject(latin1(meta.subject or meta.title))
    pdf.set_keywords(f"{meta.doc_type}, fictional sample, Lessons")
    pdf.set_creator("Lessons sample corpus builder (corpus/build.py)")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(255, 236, 179)
    pdf.multi_cell(0, 6, FICTIONAL_MARKER, border=1, fill=True, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for block in document.blocks:
        _render_block(pdf, block)
    return bytes(pdf.output())


def _render_block(pdf: _SamplePdf, block: object) -> None:
    if isinstance(block, PageBreak):
        pdf.add_page()
    elif isinstance(block, Heading):
        pdf.ln(2 if block.level > 1 else 0)
        pdf.set_font("Helvetica", "B", _HEADING_SIZES.get(block.level, 11))
        pdf.multi_cell(
            0, _HEADING_SIZES.get(block.level, 11) * 0.5, latin1(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(1.5)
    elif isinstance(block, Paragraph):
        pdf.set_font("Helvetica", "", _BODY_SIZE)
        pdf.multi_cell(0, _LINE_HEIGHT, latin1(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    elif isinstance(block, Bullet):
        pdf.set_font("Helvetica", "", _BODY_SIZE)
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, _LINE_HEIGHT, "- " + latin1(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    elif isinstance(block, Table):
        pdf.set_font("Helvetica", "", 9.5)
        with pdf.table(line_height=5.5, first_row_as_headings=True, text_align="LEFT") as table:
            for cells in block.rows:
                row = table.row()
                for cell in cells:
                    row.cell(latin1(cell))
        pdf.ln(3)
    else:
        raise TypeError(f"unknown block {block!r}")
