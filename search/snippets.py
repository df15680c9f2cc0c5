"""Snippets: the part of a passage that best matches a query, with the matching words marked."""

from __future__ import annotations

import re

from search.store.keyword_index import query_terms

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def prefix_stem(word: str) -> str:
    """A crude prefix stem for matching words loosely: 'referrals' and 'referred' both give 'refer'."""
    return word[: max(4, len(word) - 3)] if len(word) > 4 else word


def term_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` that match a query term (by shared stem)."""
    stems = {prefix_stem(term) for term in query_terms(query)}
    if not stems:
        return []
    spans = []
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if any(word.startswith(stem) and len(stem) >= min(4, len(word)) for stem in stems):
            spans.append(match.span())
    return spans


def make_snippet(text: str, query: str, width: int = 320) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``text`` (about ``width`` characters) with the most query matches.

    Returns the snippet and the spans of matched words inside it (for safe highlighting:
    the text is never turned into markup).
    """
    spans = term_spans(text, query)
    if len(text) <= width:
        return text, spans
    best_start, best_count = 0, -1
    for start, _ in spans or [(0, 0)]:
        begin = max(0, start - width // 4)
        count = sum(1 for s, e in spans if begin <= s and e <= begin + width)
        if count > best_count:
            best_start, best_count = begin, count
    # Start and end on word boundaries.
    if best_start > 0:
        space = text.find(" ", best_start)
        best_start = space + 1 if 0 <= space < best_start + 30 else best_start
    end = min(len(text), best_start + width)
    if end < len(text):
        space = text.rfind(" ", best_start, end)
        end = space if space > best_start + width // 2 else end
    prefix = "..." if best_start > 0 else ""
    suffix = "..." if end < len(text) else ""
    snippet = prefix + text[best_start:end] + suffix
    shift = len(prefix) - best_start
    inside = [(s + shift, e + shift) for s, e in spans if s >= best_start and e <= end]
    return snippet, inside


def mark(text: str, spans: list[tuple[int, int]], before: str, after: str) -> str:
    """``text`` with each span wrapped in ``before``/``after`` (for terminals and plain text)."""
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], before, text[start:end], after]
        last = end
    out.append(text[last:])
    return "".join(out)
