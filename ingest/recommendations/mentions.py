"""Passages that cite recommendations by number, usually to report what happened to them.

"Recommendation 2 (structured MASH decision form in Compass): implemented", "Recommendations 3 and
6 as in progress", "Scrutiny Recommendation 4: ... Response: Partly accepted", "Recommendation 3 of
the 2016 LSCB audit, which was not fully implemented", "Cabinet accepts all ten recommendations of
the independent review". Each becomes a RecommendationMention; which document's recommendation it
means is decided later, across the whole register (``search.recommendations.followup``).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.recommendations.lists import NUMBER_WORDS
from ingest.recommendations.statuses import find_statuses
from search.recommendations.models import RecommendationMention
from search.recommendations.verbatim import normalize
from search.text.sentences import split_sentences

_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_REFERENCE = re.compile(
    r"\b(?P<qual>(?:scrutiny|review|committee|audit|board|cabinet|panel|inspection)\s+)?"
    r"(?:recommendations?|recs?\.?)\s+(?P<nums>\d{1,3}(?:\s*(?:,|and|&|or|to|-|–)\s*\d{1,3})*)\b(?!\.\d)",
    re.I,
)
_BULK = re.compile(
    rf"\baccept(?:s|ed)?\s+all\s+(?P<count>\d{{1,3}}|{_WORDS})\s+(?:of\s+(?:the|its)\s+)?recommendations\s+"
    r"(?P<cue>(?:of|in|from|made\s+by)\s+[^.;:]{3,80})",
    re.I,
)
_DESCRIPTION_BRACKETS = re.compile(r"\s*\((?P<text>[^()]{3,160})\)")
_DESCRIPTION_COLON = re.compile(r"\s*:\s*(?P<text>.{3,200}?)(?=\s+(?:\d{1,3}\.\d{1,3}\s+)?response\s*:|$)", re.I)
_CUE = re.compile(
    r"\s*,?\s*(?P<cue>(?:of|in|from|made\s+by|made\s+in)\s+(?:the\s+)?[^.;:()]{3,90}?)"
    r"(?=\s*[,;.:]|\s+(?:which|was|were|has|have|had|is|are|said|says|to|that|as|be|by)\b|$)",
    re.I,
)
_HEADING_CITATION = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\s+)?(?:[A-Z][a-z]+\s+)?Recommendations?\s+\d{1,3}\s*:", re.I)
_REPEATS = re.compile(r"\brepeat(?:s|ed|ing)?\b|\breiterat(?:es|ed|ing)\b|\bagain\b", re.I)


def parse_numbers(text: str) -> tuple[int, ...]:
    """The numbers in "1, 2 and 5", "1 to 8" or "3-6", in order, ranges expanded (at most 50)."""
    numbers: list[int] = []
    tokens = re.findall(r"\d+|to|-|–", text)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.isdigit():
            if index + 2 < len(tokens) and tokens[index + 1] in ("to", "-", "–") and tokens[index + 2].isdigit():
                low, high = int(token), int(tokens[index + 2])
                if low <= high <= low + 50:
                    numbers.extend(range(low, high + 1))
                index += 3
                continue
            numbers.append(int(token))
        index += 1
    return tuple(dict.fromkeys(numbers))


def find_mentions(
    bodies: list[str],
    own_numbers: set[int],
    within: dict[int, list[tuple[int, int, str]]],
) -> list[RecommendationMention]:
    """Citations of recommendations by number in a document's pages.

    Parameters:
        bodies: page texts with headers and footers blanked.
        own_numbers: numbers of this document's own "Recommendation N:" items, whose markers are
            not citations.
        within: per page, (start, end, key) spans of this document's own recommendations, so a
            citation inside one is attributed to it.
    """
    mentions: list[RecommendationMention] = []
    heading: tuple[int, int] | None = None  # (index in mentions, page) of the section's heading citation
    for page, body in enumerate(bodies, start=1):
        for start, end, raw in split_sentences(body):
            sentence = normalize(raw)
            holder = next((key for begin, stop, key in within.get(page, []) if begin < end and start < stop), None)
            found = _mentions_in(sentence, page, own_numbers, holder)
            if found and found[0].description and _HEADING_CITATION.match(sentence):
                heading = (len(mentions), page)
                mentions.extend(found)
                continue
            if heading is not None and page - heading[1] > 1:
                heading = None
            under = heading[0] if heading is not None else None
            mentions.extend(replace(mention, under=under) for mention in found)
    return mentions


def _mentions_in(sentence: str, page: int, own_numbers: set[int], holder: str | None) -> list[RecommendationMention]:
    found: list[RecommendationMention] = []
    bulk = _BULK.search(sentence)
    if bulk and holder is None:
        raw = bulk.group("count").lower()
        count = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        found.append(
            RecommendationMention(page, (), ("accepted",), "", _trim_cue(bulk.group("cue")), sentence, all_of=count)
        )
    references = list(_REFERENCE.finditer(sentence))
    for index, match in enumerate(references):
        numbers = parse_numbers(match.group("nums"))
        if not numbers:
            continue
        if _is_own_marker(sentence, match, numbers, own_numbers):
            continue
        clause_end = references[index + 1].start() if index + 1 < len(references) else len(sentence)
        clause_start = references[index - 1].end() if index else 0
        clause = sentence[:clause_end]
        after = match.end()
        description = ""
        bracket = _DESCRIPTION_BRACKETS.match(clause, after)
        colon = _DESCRIPTION_COLON.match(clause, after) if match.start() < 12 else None
        if bracket:
            description, after = bracket.group("text"), bracket.end()
        elif colon:
            description, after = colon.group("text"), colon.end()
        cue_match = _CUE.match(clause, after)
        cue = _trim_cue(cue_match.group("cue")) if cue_match else ""
        if match.group("qual"):
            cue = f"{match.group('qual').strip()} {cue}".strip()
        statuses = tuple(
            dict.fromkeys(
                status
                for status, _ in find_statuses(
                    clause, start=after, hedge_from=clause_start, past_only=holder is not None
                )
            )
        )
        repeats = bool(_REPEATS.search(sentence[: match.start()])) and holder is not None
        if not statuses and not repeats and not cue:
            continue
        found.append(
            RecommendationMention(
                page, numbers, statuses, description.strip(), cue, sentence, repeats=repeats, within=holder
            )
        )
    return found


def _trim_cue(cue: str) -> str:
    """The words naming a document, without what follows it ("of the 2020 review and" -> "of the 2020 review")."""
    cue = re.split(r",|\s+(?:which|who|so|to|with|but)\s+", cue.strip(), maxsplit=1)[0]
    return re.sub(r"\s+(?:and|or|both)$", "", cue.strip())


def _is_own_marker(sentence: str, match: re.Match[str], numbers: tuple[int, ...], own_numbers: set[int]) -> bool:
    """Whether the match is the "Recommendation 3:" marker opening this document's own item 3."""
    following = sentence[match.end() :].lstrip()[:1]
    opens = match.start() < 12 and not match.group("qual") and following != "" and following in ":.-–)"
    return opens and len(numbers) == 1 and numbers[0] in own_numbers
