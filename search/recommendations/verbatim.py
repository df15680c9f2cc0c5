"""Checking that a quoted recommendation really occurs in its document, on the page it cites.

Text extracted from PDFs wraps lines and repeats headers and footers on every page, so a quote is
compared with its page after whitespace is collapsed; a quote that runs on to the next page must
split into a part at the end of one page and a part at the start of the next.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def normalize(text: str) -> str:
    """``text`` with every run of whitespace made one space (the form quotes are compared in)."""
    return " ".join(text.split())


def searchable(text: str) -> str:
    """``text`` folded for matching and embedding: compatibility forms ("ﬁ" -> "fi"), one space."""
    return normalize(unicodedata.normalize("NFKC", text))


def quote_on_pages(quote: str, pages: Sequence[str], page: int, page_end: int | None = None) -> bool:
    """Whether ``quote`` occurs on page ``page`` (1-based), or runs from it on to ``page_end``.

    Parameters: ``quote`` the verbatim text; ``pages`` every page's text; ``page``/``page_end`` the
    pages it claims to lie on. Returns True when the whole quote is found there.
    """
    if not 1 <= page <= len(pages):
        return False
    wanted = normalize(quote)
    if not wanted:
        return False
    first = normalize(pages[page - 1])
    if wanted in first:
        return True
    if page_end is None or page_end <= page or page_end > len(pages):
        return False
    words = wanted.split(" ")
    rest_pages = [normalize(text) for text in pages[page:page_end]]
    return _split_across(words, first, rest_pages)


def _split_across(words: list[str], first: str, rest: list[str]) -> bool:
    # The head must end the text of its page (up to footers) and the tail start the next: try each cut.
    for cut in range(len(words) - 1, 0, -1):
        head = " ".join(words[:cut])
        if head not in first:
            continue
        tail = words[cut:]
        if len(rest) == 1:
            if " ".join(tail) in rest[0]:
                return True
        elif _split_across(tail, rest[0], rest[1:]):
            return True
    return False
