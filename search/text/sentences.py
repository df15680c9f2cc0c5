"""Split prose extracted from PDFs, DOCX and Markdown into sentences, by offsets into the text.

Two entry points:

- :func:`sentence_spans` splits a span that is already known to be running prose (chunking uses it
  to cut long paragraphs); it looks at punctuation only.
- :func:`split_sentences` splits a whole page: it also reads the layout of lines, so that bullet
  items, headings and numbered paragraphs come out right and a PDF's hard line wraps do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A sentence ends at . ! or ? (plus closing quotes/brackets), then space, then what can open a
# sentence: a capital, a digit, an opening quote or bracket, or a bullet.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9•◼▪])")
# The same, and a footnote mark glued to the full stop: "the harm test is met.36 For example".
# Two letters before the stop keep "s.47 The" (a section number) together.
_PROSE_BOUNDARY = re.compile(r"(?:(?<=[a-z]{2})[.!?]\d{1,3}(?=\s+[A-Z])|[.!?][\"'”’)\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9•◼▪])")
_ABBREVIATIONS = frozenset(
    "e.g i.e eg ie etc mr mrs ms dr no nos para paras cf vs v st co ltd inc fig sec s ss pp p vol "
    "ch art approx cllr prof rev hon sch reg regs".split()
)
# In prose these end a sentence unless a number follows ("No. 5", "paras. 4 to 6"): "the answer
# was no. Staff..." and "art. The" are sentence ends. "etc." before a capital ends one too.
_BEFORE_NUMBER = frozenset("no nos para paras pp ss sec vol ch art fig reg regs sch".split())
_PROSE_ABBREVIATIONS = _ABBREVIATIONS - _BEFORE_NUMBER - {"etc"}
_WORD_BEFORE = re.compile(r"([\w.]+)$")

# "114. Schools..." / "4.3 The MASH..." / "4.3.1 Where...": the marker opens its paragraph's first
# sentence. A bare "36 The harm test" is a footnote, not a paragraph number.
_NUMBERED_MARKER = re.compile(r"(?:\d{1,3}\.(?:\d{1,3}(?:\.\d{1,3})?\.?)?)[ \t]+(?=[\"“‘'(]?[A-Z])")
# "• item", "- item", "– item", "o item" (Word's second-level bullet), "(a) item", "a) item", "(iv) item".
_BULLET_MARKER = re.compile(r"(?:[•◼▪●○■◦➢✓*\-–—]|o|\(?[a-z]\)|\(?[ivx]{1,4}\)|\(?\d{1,2}\))[ \t]+(?=\S)")
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"'”’)\]]*\d{0,3}$")
_ENDS_CLAUSE = re.compile(r"[.!?:;,][\"'”’)\]]*\d{0,3}$")
_LINE = re.compile(r"[^\n]*\n?")
_HEADING_MAX_WORDS = 10
_HEADING_MAX_CHARS = 70


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Find the sentences of ``text[start:end]``.

    Parameters: ``text`` the whole text; ``start``/``end`` the span to split.
    Returns ``(start, end)`` offsets into ``text``, in order, trimmed of surrounding
    whitespace, that together cover every non-space character of the span.
    """
    return _punctuation_spans(text, start, len(text) if end is None else end, _BOUNDARY, _is_abbreviation)


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """Split a page of extracted prose into sentences.

    Reads lines as well as punctuation:

    - a line wrap inside a sentence is not a boundary; a blank line is;
    - a short line without closing punctuation between sentences (a heading, a page number) is a
      segment of its own;
    - each bullet item ("•", "-", "–", "o", "(a)", "a)", "(iv)", "(1)") starts a new sentence and
      keeps its marker; a lead-in ending in ":" stays a sentence of its own, not joined to its items;
    - a numbered paragraph marker at the start of a line ("114. Schools must", "4.3 The MASH must")
      belongs to the sentence it opens;
    - full stops after abbreviations ("e.g.", "i.e.", "Dr.", "St.", "cf.", "vs.", "para. 4",
      "No. 5") and initials do not end sentences; a footnote mark after a full stop ("met.36 For")
      stays with the sentence it ends.

    Parameters: ``text`` the page text. Returns ``(start, end, sentence)`` triples in order, where
    ``sentence == text[start:end]`` exactly (line breaks and all; see :func:`clean`), trimmed of
    surrounding whitespace; together they cover every non-space character of ``text`` once.
    """
    triples: list[tuple[int, int, str]] = []
    for block_start, block_end in _blocks(text):
        marker = _NUMBERED_MARKER.match(text, block_start, block_end) or _BULLET_MARKER.match(
            text, block_start, block_end
        )
        body_start = marker.end() if marker else block_start
        spans = _punctuation_spans(text, body_start, block_end, _PROSE_BOUNDARY, _is_prose_abbreviation)
        if spans:
            spans[0] = (block_start, spans[0][1])
        else:
            spans = [(block_start, block_end)]
        triples.extend((s, e, text[s:e]) for s, e in spans)
    return triples


def clean(sentence: str) -> str:
    """A sentence as a reader should see it: line wraps and runs of whitespace become one space.

    A word broken at a hyphen across lines ("inter-\\nagency") is joined ("inter-agency").
    """
    sentence = re.sub(r"(?<=\w-)[ \t]*\n\s*(?=\w)", "", sentence)
    return " ".join(sentence.split())


def word_spans(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_words`` words (for run-on sentences).

    Returns ``(start, end)`` offsets into ``text`` that begin and end on word boundaries.
    """
    words = [match.span() for match in re.finditer(r"\S+", text[start:end])]
    return [
        (start + words[i][0], start + words[min(i + max_words, len(words)) - 1][1])
        for i in range(0, len(words), max_words)
    ]


def _is_abbreviation(word: str, following: str) -> bool:
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _is_prose_abbreviation(word: str, following: str) -> bool:
    if word in _BEFORE_NUMBER:
        return following[:1].isdigit()
    return word in _PROSE_ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _punctuation_spans(
    text: str, start: int, end: int, boundary: re.Pattern[str], is_abbreviation: Callable[[str, str], bool]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in boundary.finditer(text, start, end):
        before = _WORD_BEFORE.search(text, max(start, match.start() - 12), match.start())
        word = before.group(1).lower().rstrip(".") if before else ""
        # "e.g. Social care", "Mr. Smith", "J. Smith": a full stop that ends no sentence.
        if text[match.start()] == "." and is_abbreviation(word, text[match.end() : match.end() + 1]):
            continue
        stop = match.start() + len(match.group(0).rstrip())
        if stop > sentence_start:
            spans.append((sentence_start, stop))
        sentence_start = match.end()
    tail = text[sentence_start:end]
    if tail.strip():
        spans.append((sentence_start, sentence_start + len(tail.rstrip())))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """Group lines into runs that only punctuation can split further: paragraphs, bullet items, headings."""
    lines = [(m.start(), m.start() + len(m.group(0).rstrip("\n"))) for m in _LINE.finditer(text) if m.group(0)]
    stripped = [text[s:e].strip() for s, e in lines]
    blocks: list[tuple[int, int]] = []
    current: list[int] | None = None  # [start, end] of the block being built
    after_break = True  # the previous line ended a sentence, a heading, or there was none / a blank

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append((current[0], current[1]))
            current = None

    for i, (line_start, line_end) in enumerate(lines):
        line = stripped[i]
        if not line:
            close()
            after_break = True
            continue
        first = line_start + (len(text[line_start:line_end]) - len(text[line_start:line_end].lstrip()))
        last = first + len(line)
        following = next((s for s in stripped[i + 1 :] if s), None)
        if _BULLET_MARKER.match(text, first, last):
            close()
            current = [first, last]
        elif _is_heading(line, after_break, following):  # before numbers: "4.3 Referrals" is a heading
            close()
            blocks.append((first, last))
            after_break = True
            continue
        elif after_break and _NUMBERED_MARKER.match(text, first, last):
            close()
            current = [first, last]
        elif current is None:
            current = [first, last]
        else:
            current[1] = last
        after_break = _ENDS_SENTENCE.search(line) is not None
    close()
    return blocks


def _is_heading(line: str, after_break: bool, following: str | None) -> bool:
    return (
        after_break
        and len(line) <= _HEADING_MAX_CHARS
        and len(line.split()) <= _HEADING_MAX_WORDS
        and not _ENDS_CLAUSE.search(line)
        and not line[0].islower()
        and (following is None or not following[0].islower())
    )
