"""Split a span of text into sentence spans, by offsets, for chunking long paragraphs."""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (plus closing quotes/brackets), then space, then what can open a
# sentence: a capital, a digit, an opening quote or bracket, or a bullet.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9•◼▪])")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "eg", "ie", "etc", "mr", "mrs", "ms", "dr", "no", "nos", "para", "paras",
     "cf", "vs", "v", "st", "co", "ltd", "inc", "fig", "sec", "s", "ss", "pp", "p", "vol",
     "ch", "art", "approx", "cllr", "prof", "rev", "hon", "sch", "reg", "regs"}
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Find the sentences of ``text[start:end]``.

    Parameters: ``text`` the whole text; ``start``/``end`` the span to split.
    Returns ``(start, end)`` offsets into ``text``, in order, trimmed of surrounding
    whitespace, that together cover every non-space character of the span.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in _BOUNDARY.finditer(text, start, end):
        before = _WORD_BEFORE.search(text, max(start, match.start() - 12), match.start())
        word = before.group(1).lower().rstrip(".") if before else ""
        # "e.g. Social care", "Mr. Smith", "J. Smith": a full stop that ends no sentence.
        if text[match.start()] == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
            continue
        stop = match.start() + len(match.group(0).rstrip())
        if stop > sentence_start:
            spans.append((sentence_start, stop))
        sentence_start = match.end()
    tail = text[sentence_start:end]
    if tail.strip():
        spans.append((sentence_start, sentence_start + len(tail.rstrip())))
    return spans


def word_spans(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_words`` words (for run-on sentences).

    Returns ``(start, end)`` offsets into ``text`` that begin and end on word boundaries.
    """
    words = [match.span() for match in re.finditer(r"\S+", text[start:end])]
    return [
        (start + words[i][0], start + words[min(i + max_words, len(words)) - 1][1])
        for i in range(0, len(words), max_words)
    ]
