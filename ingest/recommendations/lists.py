"""Recommendations laid out as lists: "Recommendation 3: ...", and numbered or bulleted items under a
heading such as "Recommendations", "What needs to improve" or "Areas for improvement".

The parser walks a document's lines (headers and footers already blanked, see ``layout``). An
item runs on over wrapped lines and across a page break until the next item, a blank line, a
numbered paragraph, a heading or a different kind of marker. Numbered and bulleted items count
only under a recommendations heading or lead-in, and a numbered list must start at 1, so a table
of contents or a list of attendees yields nothing. A section whose lead-in asks a meeting to
decide ("Cabinet is asked to note...", "That Cabinet:") holds decisions sought, not
recommendations, and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.recommendations.layout import Line

NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORD_NUMBER = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

KEYWORD = "keyword"
NUMBER = "number"
LETTER = "letter"
BULLET = "bullet"

_KEYWORD_MARKER = re.compile(
    rf"^(?:recommendation|rec\.?)\s*(?P<num>\d{{1,3}}|{_WORD_NUMBER})(?P<suffix>[a-z])?\s*(?:[:.\-–—)]\s*|$)(?P<rest>.*)$",
    re.I,
)
_R_MARKER = re.compile(r"^R(?P<num>\d{1,3})\s*[:.)\-–]\s*(?P<rest>\S.*)$")
_NUMBER_MARKER = re.compile(r"^(?P<num>\d{1,2})[.)]\s+(?P<rest>[A-Z“\"'‘(].*)$")
_LETTER_MARKER = re.compile(
    r"^(?:\((?P<a>[a-z]|[ivx]{1,4})\)|(?P<b>[a-z]|[ivx]{1,4})\)|(?P<c>[a-h])\.)\s+(?P<rest>\S.*)$"
)
_BULLET_MARKER = re.compile(r"^(?:[•◼▪●■○◦➢✓►▸\uE000-\uF8FF]\s*|[*\-–—]\s+)(?P<rest>\S.*)$")
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,3}\.\d{1,3}(?:\.\d{1,3})?\.?\s+\S")
_HEADING_NUMBERING = re.compile(r"^(?:#+\s*)?(?:(?:\d+(?:\.\d+)*\.?|[A-Z]\.|section\s+\d+:?|part\s+\d+:?)\s+)", re.I)
_OPENER_HEADING = re.compile(
    r"^(?:(?:summary\s+of\s+|key\s+|list\s+of\s+|our\s+|the\s+)?recommendations?(?:\s+(?:to|for|of|and|from)\s+.{1,60})?"
    r"|what\s+(?:still\s+)?needs?\s+to\s+(?:improve|be\s+improved|happen).{0,60}"
    r"|areas?\s+(?:for|of)\s+(?:priority\s+action|(?:further\s+)?improvement|development).{0,40}"
    r"|areas?\s+(?:that\s+)?(?:needs?|requir(?:e|es|ing))\s+(?:improvement|attention|development).{0,40}"
    r"|(?:priority\s+)?actions?\s+required|improvements?\s+required)\s*[?:.]?\d?$",
    re.I,
)
_OPENER_LEAD_IN = re.compile(
    r"\brecommend(?:s|ed|ations?)?\b|\bareas?\s+for\s+(?:priority\s+action|(?:further\s+)?improvement)\b"
    r"|\bneeds?\s+to\s+improve\b|\bfollowing\s+(?:areas|improvements|actions)\b",
    re.I,
)
_DECISION_REQUEST = re.compile(
    r"\b(?:is|are)\s+(?:asked|invited|requested|recommended)\s+to\b|\bmay\b[^.]{0,120}\bresolve\b"
    r"|(?:^|:\s*)(?:\d+(?:\.\d+)*\s+)?that\s+(?:the\s+)?(?:cabinet|council|committee|board|panel|executive|members?|"
    r"sub-?committee|governing\s+body)\b[^.]{0,40}?(?::|$)",
    re.I,
)
_TOC_ENTRY = re.compile(r"(?:\s|\.{2,})\d{1,3}$")
_TERMINAL = re.compile(r"[.;!?)][\"'”’\]]*$")
_ENDS_PARAGRAPH = re.compile(r"[.;:!?)][\"'”’\]]*$")
_STATUS_ONLY = re.compile(
    r"^(?:not\s+)?(?:partly\s+|partially\s+)?(?:accepted|rejected|implemented|in\s+progress|completed?|agreed|"
    r"noted|ongoing)\b",
    re.I,
)
_HEADING_MAX_WORDS = 10
_MAX_INTRO_LINES = 15
_MAX_ITEM_LINES = 25
_MIN_WORDS = 4


@dataclass(frozen=True)
class Marker:
    """What opens a list item: its style, its label ("3", "b", "item 2") and the text after it."""

    style: str
    label: str | None
    number: int | None
    rest: str
    rest_offset: int


@dataclass
class ListItem:
    """A recommendation found in a list: its label, lines and the marker that opened it."""

    style: str
    label: str | None
    number: int | None
    section: int
    lines: list[Line] = field(default_factory=list)
    first_text: str = ""
    first_offset: int = 0

    @property
    def text(self) -> str:
        """The item's words, the marker left out, lines joined by single spaces."""
        parts = [self.first_text] + [line.text for line in self.lines[1:]]
        return " ".join(" ".join(part.split()) for part in parts if part.strip())

    @property
    def page(self) -> int:
        """Page of its first line."""
        return self.lines[0].page

    @property
    def page_end(self) -> int:
        """Page of its last line."""
        return self.lines[-1].page


def marker_of(text: str) -> Marker | None:
    """The list marker that opens ``text``, if any."""
    for style, pattern in ((KEYWORD, _KEYWORD_MARKER), (KEYWORD, _R_MARKER), (NUMBER, _NUMBER_MARKER)):
        match = pattern.match(text)
        if match:
            raw = match.group("num").lower()
            number = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
            suffix = match.groupdict().get("suffix") or ""
            return Marker(style, f"{number}{suffix.lower()}", number, match.group("rest"), match.start("rest"))
    match = _LETTER_MARKER.match(text)
    if match:
        label = match.group("a") or match.group("b") or match.group("c")
        return Marker(LETTER, label, None, match.group("rest"), match.start("rest"))
    match = _BULLET_MARKER.match(text)
    if match:
        return Marker(BULLET, None, None, match.group("rest"), match.start("rest"))
    return None


def find_list_items(lines: list[Line], *, paragraph_lines: bool = False) -> list[ListItem]:
    """Every recommendation laid out as a list item in ``lines`` (a whole document), in order.

    ``paragraph_lines`` is True for formats whose every line is a whole paragraph (DOCX, HTML,
    Markdown): there an item never runs on to the next line.
    """
    items: list[ListItem] = []
    index = 0
    section = 0
    while index < len(lines):
        line = lines[index]
        marker = marker_of(line.text)
        if is_opener(lines, index):
            section += 1
            index = _read_section(lines, index + 1, items, section, paragraph_lines)
        elif marker is not None and marker.style == KEYWORD and _plausible(marker.rest):
            section += 1
            index = _read_section(lines, index, items, section, paragraph_lines)
        else:
            index += 1
    return [item for item in items if _acceptable(item)]


def is_opener(lines: list[Line], index: int) -> bool:
    """Whether line ``index`` is a recommendations heading or a lead-in ending in ':' that introduces them."""
    text = lines[index].text
    if marker_of(text) is not None and not _HEADING_NUMBERING.match(text):
        return False
    bare = _HEADING_NUMBERING.sub("", text, count=1).strip()
    if len(bare.split()) <= 12 and _OPENER_HEADING.match(bare) and not _TOC_ENTRY.search(bare):
        return True
    if text.endswith(":") and index + 1 < len(lines) and marker_of(lines[index + 1].text) is not None:
        lead_in = _paragraph_ending_at(lines, index)
        return bool(_OPENER_LEAD_IN.search(lead_in)) and not _DECISION_REQUEST.search(lead_in)
    return False


def _paragraph_ending_at(lines: list[Line], index: int) -> str:
    parts = [lines[index].text]
    back = index - 1
    while back >= 0 and len(parts) < 4:
        previous = lines[back]
        if lines[back + 1].blank_before or _ENDS_PARAGRAPH.search(previous.text) or marker_of(previous.text):
            break
        parts.insert(0, previous.text)
        back -= 1
    return " ".join(parts)


def _plausible(rest: str) -> bool:
    return len(rest.split()) >= _MIN_WORDS and not _STATUS_ONLY.match(rest.strip())


def _acceptable(item: ListItem) -> bool:
    words = item.text.split()
    return len(words) >= _MIN_WORDS and not _STATUS_ONLY.match(item.text) and any(c.isalpha() for c in item.text)


def _heading_like(text: str, following: str | None) -> bool:
    words = text.split()
    return (
        0 < len(words) <= _HEADING_MAX_WORDS
        and len(text) <= 90
        and not re.search(r"[.,;:!?]$", text)
        and (text[0].isupper() or text[0].isdigit())
        and (following is None or not following[:1].islower())
    )


def _starts_lower(text: str) -> bool:
    return text[:1].islower()


def _read_section(lines: list[Line], index: int, items: list[ListItem], section: int, paragraph_lines: bool) -> int:
    """Read the items of one section starting at ``index``; returns the index of the first line after it."""
    intro: list[str] = []
    while index < len(lines):
        text = lines[index].text
        marker = marker_of(text)
        if marker is not None and _opens_list(marker):
            break
        if is_opener(lines, index) or len(intro) >= _MAX_INTRO_LINES:
            return index
        if marker is not None and marker.style == NUMBER:
            return index  # "6. Recommendations" then "7. Next steps": a contents list or a run of headings
        if text.endswith(":") and not _OPENER_LEAD_IN.search(text) and not _DECISION_REQUEST.search(text):
            return index  # "Present:" introduces some other list
        intro.append(text)
        index += 1
    else:
        return index
    if _DECISION_REQUEST.search(" ".join(intro)) or _DECISION_REQUEST.search(marker.rest):
        return index + 1
    style = marker.style
    found: list[ListItem] = []
    current = _start_item(lines[index], marker, section, len(found) + 1)
    found.append(current)
    index += 1
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1].text if index + 1 < len(lines) else None
        marker = marker_of(line.text)
        if marker is not None and marker.style == style and _continues_numbering(found, marker):
            current = _start_item(line, marker, section, len(found) + 1)
            found.append(current)
            index += 1
            continue
        if marker is not None and marker.style != style and not current.text.endswith(":"):
            break
        if is_opener(lines, index):
            break
        if paragraph_lines or not _continues_item(current, line, following, style, lines, index):
            if _is_subheading(current, line, lines, index, style):
                index += 1
                continue
            break
        if len(current.lines) >= _MAX_ITEM_LINES:
            break
        current.lines.append(line)
        index += 1
    items.extend(found)
    return index


def _opens_list(marker: Marker) -> bool:
    if marker.style == NUMBER:
        return marker.number == 1
    if marker.style == LETTER:
        return marker.label in ("a", "i")
    return True


def _continues_numbering(found: list[ListItem], marker: Marker) -> bool:
    if marker.style not in (NUMBER, KEYWORD):
        return True
    last = next((item.number for item in reversed(found) if item.number is not None), None)
    if last is None or marker.number is None:
        return True
    # Malformed numbering (a repeat, a skipped number) is tolerated; a jump back to 1 or far ahead is not.
    return marker.style == KEYWORD or last - 1 <= marker.number <= last + 3


def _start_item(line: Line, marker: Marker, section: int, position: int) -> ListItem:
    label = marker.label if marker.style != BULLET else f"item {position}"
    item = ListItem(marker.style, label, marker.number, section, [line], marker.rest, marker.rest_offset)
    return item


def _continues_item(
    item: ListItem, line: Line, following: str | None, style: str, lines: list[Line], index: int
) -> bool:
    text = line.text
    if _NUMBERED_PARAGRAPH.match(text):
        return False
    ended = _TERMINAL.search(item.text) is not None
    if line.page_start and line.page != item.lines[-1].page:
        if _starts_lower(text):
            return True
        return not ended and not _heading_like(text, following)
    if line.blank_before:
        return False
    if style == KEYWORD:
        return not (ended and _heading_like(text, following))
    if ended and not _starts_lower(text) and not text.startswith("("):
        return False
    return not (_heading_like(text, following) and _next_is_item(lines, index, style))


def _is_subheading(item: ListItem, line: Line, lines: list[Line], index: int, style: str) -> bool:
    """A short heading inside a list ("Rapid Reviews" between bullets), not one that starts a new part."""
    if line.blank_before or line.page != item.lines[-1].page or _TERMINAL.search(item.text):
        return False
    following = lines[index + 1].text if index + 1 < len(lines) else None
    return style in (BULLET, LETTER) and _heading_like(line.text, following) and _next_is_item(lines, index, style)


def _next_is_item(lines: list[Line], index: int, style: str) -> bool:
    if index + 1 >= len(lines):
        return False
    marker = marker_of(lines[index + 1].text)
    return marker is not None and marker.style == style
