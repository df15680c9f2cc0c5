"""Finding the status a passage reports for a recommendation: accepted, in progress, implemented...

Only plain statements count. "Recommendation 1 has been implemented" is a status; "the re-audit
should check whether Recommendation 1 has been implemented" is not, nor is "will be marked
complete": a modal or conditional word between the citation and the status word discards it.
"""

from __future__ import annotations

import re

# Longer, more specific phrases first: "partly accepted" must win over "accepted".
_STATUS_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("partly accepted", re.compile(r"\b(?:partly|partially)\s+accepted\b|\baccepted\s+in\s+part\b", re.I)),
    ("rejected", re.compile(r"\bnot\s+(?:been\s+)?accepted\b|\brejected\b|\bdeclined\b", re.I)),
    (
        "not implemented",
        re.compile(
            r"\bnot\s+(?:(?:yet|fully|been|properly)\s+){0,3}(?:implemented|completed|put\s+right)\b"
            r"|\b(?:only\s+)?partly\s+implemented\b",
            re.I,
        ),
    ),
    ("in progress", re.compile(r"\bin\s+progress\b|\bunder\s+way\b|\bongoing\b", re.I)),
    ("implemented", re.compile(r"\bimplemented\b|\bcompleted\b", re.I)),
    ("accepted", re.compile(r"\baccepted\b", re.I)),
)

_HEDGE = re.compile(
    r"\b(?:whether|if|should|shall|will|would|could|may|might|must|until|unless|once|when|to\s+be|"
    r"to\s+check|to\s+test|expected|planned|due)\b",
    re.I,
)
_PAST_FORM = re.compile(r"\b(?:was|were|has\s+been|have\s+been|had\s+been|is|are|as)\s+(?:\w+\s+){0,2}$", re.I)


def find_statuses(
    clause: str, *, start: int = 0, hedge_from: int | None = None, past_only: bool = False
) -> list[tuple[str, int]]:
    """The statuses stated in ``clause`` after offset ``start``, in order, as ``(status, offset)``.

    Parameters:
        clause: the text that follows a citation of a recommendation.
        start: where the citation ends; statuses are looked for after it.
        hedge_from: where hedging words start to count ("whether Recommendation 1 has been
            implemented"); ``start`` when None.
        past_only: accept only statuses stated as facts about the past ("which was not fully
            implemented"), as inside a recommendation's own text, where "Cabinet accepts" is advice.
    """
    found: list[tuple[int, int, str]] = []
    for status, pattern in _STATUS_PATTERNS:
        for match in pattern.finditer(clause, start):
            if any(match.start() < end and begin < match.end() for begin, end, _ in found):
                continue
            found.append((match.start(), match.end(), status))
    found.sort()
    statuses: list[tuple[str, int]] = []
    for begin, _end, status in found:
        if _HEDGE.search(clause, start if hedge_from is None else hedge_from, begin):
            break
        if past_only and not _PAST_FORM.search(clause[max(start, begin - 40) : begin]):
            continue
        statuses.append((status, begin))
    return statuses
