"""The lines of a document as the extractor reads them: page by page, running headers and footers blanked.

A PDF repeats its header, footer and page number on every page; a recommendation that runs on to
the next page must be read past them. Repeated lines are replaced by spaces (so offsets into the
page text stay valid and quotes stay verbatim), and each remaining line keeps its page and offsets.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+(?:of|/)\s+\d{1,4})?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Line:
    """One non-blank line: its page (1-based), offsets into that page's text, and its stripped text.

    ``blank_before`` is True when a blank line (or the start of the document) precedes it on its
    page; ``page_start`` is True for the first line of a page.
    """

    page: int
    start: int
    end: int
    text: str
    blank_before: bool
    page_start: bool


def page_bodies(pages: list[str]) -> list[str]:
    """Each page's text with running headers, footers and bare page numbers replaced by spaces."""
    repeated = _repeated_lines(pages)
    bodies = []
    for text in pages:
        parts = []
        for raw in text.splitlines(keepends=True):
            line = raw.rstrip("\r\n")
            if _is_boilerplate(line.strip(), repeated):
                parts.append(" " * len(line) + raw[len(line) :])
            else:
                parts.append(raw)
        bodies.append("".join(parts))
    return bodies


def document_lines(bodies: list[str]) -> list[Line]:
    """The non-blank lines of every page body, in reading order."""
    lines: list[Line] = []
    for number, text in enumerate(bodies, start=1):
        offset = 0
        blank = True
        first = True
        for raw in text.splitlines(keepends=True):
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                start = offset + lead
                lines.append(Line(number, start, start + len(stripped), stripped, blank, first))
                blank = False
                first = False
            else:
                blank = True
            offset += len(raw)
    return lines


def _shape(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split())).lower()


def _repeated_lines(pages: list[str]) -> set[str]:
    """Line shapes (digits folded) found on at least half the pages of a document of three or more."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for text in pages:
        counts.update({_shape(line) for line in text.splitlines() if line.strip()})
    needed = max(2, (len(pages) + 1) // 2)
    return {shape for shape, count in counts.items() if count >= needed and len(shape) > 1}


def _is_boilerplate(line: str, repeated: set[str]) -> bool:
    return bool(line) and (_PAGE_NUMBER.match(line) is not None or _shape(line) in repeated)
