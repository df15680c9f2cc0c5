"""Recommendations made in running prose: "the team recommends that...", "it is recommended that...",
"I recommend a primary version of the training", "the committee recommended that...".

The register records recommendations a document makes, not ones it merely reports: "it was
recommended that..." (no one named, past) and "whether to recommend that..." are left out, and a
lead-in ending in ':' belongs to the list it introduces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.recommendations.verbatim import normalize
from search.text.sentences import split_sentences

_FIRST_PERSON = re.compile(r"\b(?:I|we|We)\s+(?:(?:would|also|therefore|strongly|further)\s+)*recommend\b(?!ation)")
_THIRD_PERSON = re.compile(
    r"(?P<before>\b[\w’']+\s+)(?:(?:also|therefore|further|strongly|unanimously)\s+)?(?:recommends|recommended)"
    r"\s+(?:to\s+[\w’' ]{1,40}?\s+)?that\b",
    re.I,
)
_IMPERSONAL = re.compile(r"\bit\s+is\s+(?:(?:therefore|also|strongly|further)\s+)*recommended\s+that\b", re.I)
_NOMINAL = re.compile(r"\b(?:its|their|the\s+[\w’']+(?:\s+[\w’']+)?(?:'s|’s))\s+recommendation\s+that\b", re.I)
_PASSIVE_BEFORE = frozenset("was were been be being is are as having had has which who".split())
_PARAGRAPH_MARKER = re.compile(r"^(?P<para>\d{1,3}(?:\.\d{1,3}){0,2})\.?\s+(?=\S)")
_OWN_STATUS = re.compile(r"\b(?:was|were|has\s+been|have\s+been)\s+(?P<not>not\s+)?accepted\b", re.I)
_SUBJECT_WORDS = {
    "committee": "committee",
    "scrutiny": "committee",
    "panel": "committee",
    "cabinet": "committee",
    "inspectors": "inspectorate",
    "inspector": "inspectorate",
    "ofsted": "inspectorate",
    "reviewer": "review",
    "review": "review",
    "auditor": "review",
    "audit": "review",
}


@dataclass(frozen=True)
class ProseRecommendation:
    """A sentence that makes a recommendation: where it is, its words, and who the sentence says made it."""

    page: int
    start: int
    end: int
    text: str
    paragraph: str | None
    made_by: str | None
    own_status: str | None


def find_prose_recommendations(bodies: list[str], taken: dict[int, list[tuple[int, int]]]) -> list[ProseRecommendation]:
    """Sentences making recommendations, page by page.

    Parameters:
        bodies: page texts with headers and footers blanked.
        taken: per page, character spans already claimed by list items (skipped here).
    """
    found: list[ProseRecommendation] = []
    for page, body in enumerate(bodies, start=1):
        paragraph: str | None = None
        for start, end, raw in split_sentences(body):
            text = normalize(raw)
            marker = _PARAGRAPH_MARKER.match(text)
            if marker:
                paragraph = marker.group("para")
                text = text[marker.end() :]
            elif _looks_like_heading(text):
                paragraph = None
            if any(start < stop and begin < end for begin, stop in taken.get(page, [])):
                continue
            made_by = _recommending(text)
            if made_by is None:
                continue
            status = _OWN_STATUS.search(text)
            own = ("rejected" if status.group("not") else "accepted") if status else None
            offset = start + (len(raw) - len(raw.lstrip()))
            found.append(ProseRecommendation(page, offset, end, text, paragraph, made_by or None, own))
    return found


def _looks_like_heading(text: str) -> bool:
    return len(text.split()) <= 10 and not re.search(r"[.;:!?]$", text)


def _recommending(text: str) -> str | None:
    """'' or the kind of body named as the subject when ``text`` makes a recommendation; None otherwise."""
    if text.endswith((":", "?")) or len(text.split()) < 6:
        return None
    if _FIRST_PERSON.search(text) or _IMPERSONAL.search(text) or _NOMINAL.search(text):
        return _subject_kind(text)
    for match in _THIRD_PERSON.finditer(text):
        if match.group("before").strip().lower() not in _PASSIVE_BEFORE:
            return _subject_kind(text[: match.end()])
    return None


def _subject_kind(text: str) -> str:
    words = re.findall(r"[a-z]+", text.lower())
    for word in words[:12]:
        if word in _SUBJECT_WORDS:
            return _SUBJECT_WORDS[word]
    return ""
