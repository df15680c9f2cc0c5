"""Cut a ParsedDocument into passages that follow its headings and numbered paragraphs.

Every chunk's text is made of exact slices of the loader's page text: for a chunk on one page,
``pages[page - 1][char_start:char_end] == text``; a chunk that runs onto the next page joins
the slice of each page with a newline. Running headers and footers (lines repeated at the
edge of most pages) are left out of chunks, which is why a slice never crosses a page edge.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.parsed import ParsedDocument
from ingest.sentences import sentence_spans, word_spans
from search.models import ChunkRecord

# "114. Schools..." or "4.3 The MASH...": a bare "31 When..." is a footnote, not a paragraph.
_NUMBERED_PARA = re.compile(
    r"^(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?|\d{1,3}(?=\.))\.?\s+(?=[A-Z“\"‘'(])")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z]")
_PART_HEADING = re.compile(
    r"^(part|annex|appendix|chapter|section|schedule)\s+([A-Z0-9]{1,3}|one|two|three|four|"
    r"five|six|seven|eight|nine|ten)\b", re.IGNORECASE)
_BULLET = re.compile(r"^([•◼▪●○■◦➢✓\-–*]|\(?[a-z0-9]{1,3}\)|[ivx]{1,4}\.)\s")
_ENDS_SENTENCE = re.compile(r"[.!?:;)\"”’]$")
_EDGE_LINES = 3


@dataclass
class _Line:
    page: int
    start: int
    end: int
    text: str
    blank_before: bool
    heading_level: int | None = None


@dataclass
class _Block:
    page: int
    start: int
    end: int
    words: int
    number: str | None


def _page_lines(page_index: int, text: str) -> list[_Line]:
    lines: list[_Line] = []
    last_end = 0
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group(0)
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + len(raw) - len(raw.lstrip())
        gap = text[last_end:start]
        lines.append(_Line(page_index, start, start + len(stripped), stripped,
                           blank_before=gap.count("\n") >= 2 or not lines))
        last_end = start + len(stripped)
    return lines


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Remove headers and footers: edge lines (digits ignored) repeated on over half the pages.

    Only lines touching the top or bottom of a page go, so what stays is contiguous.
    """
    if len(pages) < 3:
        return pages

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({key(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]})
    running = {k for k, n in counts.items() if n > len(pages) / 2 and n >= 3}
    if not running:
        return pages
    kept: list[list[_Line]] = []
    for lines in pages:
        top, bottom = 0, len(lines)
        while top < min(_EDGE_LINES, bottom) and key(lines[top]) in running:
            top += 1
        while bottom > max(top, len(lines) - _EDGE_LINES) and key(lines[bottom - 1]) in running:
            bottom -= 1
        kept.append(lines[top:bottom])
    return kept


def _candidate_level(line: _Line) -> int | None:
    """The heading level a line would have, judged on the line alone (None: not a heading)."""
    text = line.text
    words = text.split()
    if len(words) > 12 or len(text) > 100 or not text[0].isalnum() or "|" in text:
        return None
    if sum(ch.isalpha() for ch in text) < 3 or re.search(r"\s\d{1,3}$", text):
        return None  # table-of-contents entries end with a page number
    if _PART_HEADING.match(text):
        return 1 if not text.endswith((".", ",", ";")) else None
    if text.endswith((".", ",", ";", ":", "?", "!")) or not text[0].isupper() and not text[0].isdigit():
        return None
    numbered = _NUMBERED_HEADING.match(text)
    if numbered:
        return 1 + numbered.group(1).count(".") + 1 if len(words) <= 10 else None
    if text[0].isdigit():
        return None
    return 2


def _infer_headings(lines: list[_Line]) -> None:
    """Mark short, title-like lines that stand between sentences as headings.

    Runs of three or more such lines are tables, forms or contents pages, not headings.
    """
    levels = [_candidate_level(line) for line in lines]
    run_length = [0] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and levels[j] is not None:
            j += 1
        for k in range(i, j):
            run_length[k] = j - i
        i = max(j, i + 1)
    for i, level in enumerate(levels):
        if level is None or run_length[i] >= 3:
            continue
        prev = lines[i - 1] if i else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or not (nxt.text[0].isupper() or nxt.text[0].isdigit() or _BULLET.match(nxt.text)):
            continue
        if prev is not None and not (prev.page != lines[i].page or lines[i].blank_before
                                     or _ENDS_SENTENCE.search(prev.text) or levels[i - 1] is not None):
            continue
        lines[i].heading_level = level


def _mark_explicit_headings(parsed: ParsedDocument, lines: list[_Line]) -> None:
    """Mark the lines that overlap a loader's Heading span (both lists are in text order)."""
    spans = sorted((h.page_index, h.char_start, h.char_end, h.level) for h in parsed.headings)
    k = 0
    for line in lines:
        while k < len(spans) and (spans[k][0], spans[k][2]) <= (line.page, line.start):
            k += 1  # heading ends before this line starts
        if k < len(spans) and spans[k][0] == line.page and spans[k][1] < line.end:
            line.heading_level = spans[k][3]


def _blocks(lines: list[_Line], max_words: int, text_of: list[str]) -> list[_Block | _Line]:
    """Group lines into paragraph blocks no longer than ``max_words``, with headings between.

    A block stays on one page and starts at a blank line, a numbered paragraph, a bullet, or
    after a line that ends a sentence; longer blocks are cut at sentences, then at words.
    """
    out: list[_Block | _Line] = []
    current: list[_Line] = []

    def close() -> None:
        if not current:
            return
        page_text = text_of[current[0].page]
        start, end = current[0].start, current[-1].end
        number_match = _NUMBERED_PARA.match(current[0].text)
        number = number_match.group(1) if number_match else None
        words = len(page_text[start:end].split())
        if words <= max_words:
            out.append(_Block(current[0].page, start, end, words, number))
        else:
            for s_start, s_end in sentence_spans(page_text, start, end):
                for w_start, w_end in word_spans(page_text, s_start, s_end, max_words):
                    piece = page_text[w_start:w_end]
                    out.append(_Block(current[0].page, w_start, w_end, len(piece.split()), number))
                    number = None  # only the first piece opens the numbered paragraph
        current.clear()

    for line in lines:
        if line.heading_level is not None:
            close()
            out.append(line)
            continue
        if current and (
            line.page != current[-1].page
            or line.blank_before
            or _BULLET.match(line.text)
            or _ENDS_SENTENCE.search(current[-1].text)
            or (_NUMBERED_PARA.match(line.text) and current[-1].text[-1:] in ".:;!?")
        ):
            close()
        current.append(line)
    close()
    return out


def chunk_document(
    parsed: ParsedDocument, doc_id: str, *, target_words: int = 160, max_words: int = 220
) -> list[ChunkRecord]:
    """Cut a document into passages that follow its sections and numbered paragraphs.

    Parameters: ``parsed`` the loader's output; ``doc_id`` the document's id; ``target_words``
    the size a chunk grows to; ``max_words`` the size no chunk exceeds.
    Returns ChunkRecords (no embedding) in document order. A chunk never crosses a heading;
    it may run onto the next page within one section. ``section`` is the heading path joined
    with " > "; ``paragraph`` the document's paragraph number ("114") or range ("114-116").
    Inferred headings have levels: Part/Annex/Chapter 1, numbered "4" 2 and "4.2" 3, others 2.
    """
    page_lines = _drop_running_lines([_page_lines(i, text) for i, text in enumerate(parsed.pages)])
    lines = [line for page in page_lines for line in page]
    if parsed.headings:
        _mark_explicit_headings(parsed, lines)
    else:
        _infer_headings(lines)

    chunks: list[ChunkRecord] = []
    path: list[tuple[int, str]] = []
    current: list[tuple[_Block, str | None]] = []

    def flush() -> None:
        if not current:
            return
        pieces: list[str] = []
        i = 0
        while i < len(current):  # one slice per page the chunk touches
            j = i
            while j + 1 < len(current) and current[j + 1][0].page == current[i][0].page:
                j += 1
            first, last = current[i][0], current[j][0]
            pieces.append(parsed.pages[first.page][first.start:last.end])
            i = j + 1
        numbers = list(dict.fromkeys(n for _, n in current if n))
        paragraph = None if not numbers else numbers[0] if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
        first_block, last_block = current[0][0], current[-1][0]
        chunks.append(ChunkRecord(
            doc_id=doc_id, ordinal=len(chunks), text="\n".join(pieces),
            page=first_block.page + 1 if parsed.paged else None,
            page_end=last_block.page + 1 if parsed.paged else None,
            section=" > ".join(text for _, text in path) or None, paragraph=paragraph,
            char_start=first_block.start, char_end=last_block.end,
        ))
        current.clear()

    words = 0
    paragraph_number: str | None = None
    for item in _blocks(lines, max_words, parsed.pages):
        if isinstance(item, _Line):  # a heading: close the chunk, move in the heading path
            flush()
            words, paragraph_number = 0, None
            level = item.heading_level or 1
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, item.text))
            continue
        paragraph_number = item.number or paragraph_number
        # Grow to the target; a short chunk may pass it (never max_words) to take a whole
        # paragraph; a numbered paragraph starts a new chunk once this one is half full.
        too_big = words + item.words > target_words and not (
            words < target_words // 2 and words + item.words <= max_words)
        if current and (too_big or (item.number and words >= target_words // 2)):
            flush()
            words = 0
        current.append((item, paragraph_number))
        words += item.words
    flush()
    return chunks
