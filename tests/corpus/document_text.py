"""Plain text of the sample documents, per PDF page or whole, for assertions in the corpus tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pypdf


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(path: Path) -> list[str]:
    """The whitespace-normalised text of each page of a PDF."""
    return [normalise(page.extract_text()) for page in pypdf.PdfReader(path).pages]


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def whole_text(path: Path) -> str:
    """The whitespace-normalised text of any sample document (PDF, DOCX, HTML or Markdown)."""
    if path.suffix == ".pdf":
        return " ".join(pdf_pages(path))
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        parts += [p.text for section in document.sections for p in section.footer.paragraphs]
        return normalise(" ".join(parts))
    if path.suffix == ".html":
        parser = _VisibleText()
        parser.feed(path.read_text(encoding="utf-8"))
        return normalise(" ".join(parser.parts))
    return normalise(path.read_text(encoding="utf-8"))
