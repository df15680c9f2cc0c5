"""How strong a duty a sentence places on someone, and what kind of sentence it is.

Statutory guidance uses its words in defined senses: "must" is a legal requirement, "should" is to
be followed unless there is good reason not to, "may"/"can" is permitted or optional. The tagger
reads those words, and their equivalents ("are required to", "are expected to", "are permitted
to"), and sets aside the uses that place no duty: "may" as possibility ("this may indicate abuse"),
hindsight ("should have been referred"), questions, quotations and reported findings ("the review
found that staff should ...").
"""

from __future__ import annotations

import re

from search.answers.models import OBLIGATIONS

_NEGATION = r"(?:\s+(?:not|never))?"
_ADVERBS = r"(?:\s+(?:also|only|still|then|now|therefore|always|usually|normally|further|however|additionally))*"

# Phrases that carry a duty whatever their context, strongest first within each strength.
_MUST_PHRASES = re.compile(
    r"\b(?:(?:is|are|be|being|was|were)\s+(?:legally\s+|statutorily\s+)?required\s+(?:to|by\s+law)\b"
    r"|(?:has|have|had)\s+(?:a|the)\s+(?:statutory\s+|legal\s+)?duty\s+to\b"
    r"|(?:is|are)\s+under\s+(?:a|the)\s+(?:statutory\s+|legal\s+)?duty\b"
    r"|there\s+is\s+(?:also\s+)?a\s+(?:statutory\s+|legal\s+)?duty\s+to\b"
    r"|(?:is|are)\s+not\s+(?:legally\s+)?(?:permitted|allowed)\s+to\b"
    r"|\b(?:law|act|legislation|duty|regulations?|section\s+\d+\w*)\s+(?:also\s+)?requires?\b"
    r"|(?:a|the|their|its|this)\s+(?:statutory|legal)\s+(?:duty|requirement)\b"
    r"|(?:is|are)\s+(?:a\s+)?(?:legal|statutory)\s+requirement\b"
    r"|(?:is|are)\s+(?:legally|statutorily)\s+required\b"
    r"|(?:is|are)\s+mandatory\b"
    r"|shall" + _NEGATION + r"\b)",
    re.IGNORECASE,
)
_SHOULD_PHRASES = re.compile(
    r"\b(?:(?:is|are|be|being)\s+expected\s+to\b|it\s+is\s+expected\s+that\b|ought" + _NEGATION + r"\s+to\b)",
    re.IGNORECASE,
)
_MAY_PHRASES = re.compile(
    r"\b(?:(?:is|are)\s+(?:legally\s+)?(?:permitted|allowed|entitled)\s+to\b"
    r"|(?:is|are)\s+not\s+required\s+to\b"
    r"|(?:can|may)" + _ADVERBS + r"\s+(?:choose|decide|wish)\s+to\b"
    r"|(?:has|have)\s+(?:the\s+|clear\s+)?(?:power|powers|discretion)\s+to\b)",
    re.IGNORECASE,
)
_MODAL = re.compile(r"\b(must|should|may|can)\b" + _NEGATION, re.IGNORECASE)
# "are expected to rise": a forecast, not an expectation of anyone.
_FORECAST = re.compile(
    r"\s+(?:rise|increase|fall|decline|decrease|grow|reach|exceed|peak|last|cost|double|happen|occur)\b",
    re.IGNORECASE,
)

# Who can hold a duty in guidance; a "may" or "can" is permission only when one of them is its subject.
_AGENTS = re.compile(
    r"\b(?:schools?|colleges?|academ(?:y|ies)|nurser(?:y|ies)|providers?|staff|practitioners?|professionals?"
    r"|teachers?|headteachers?|heads?|principals?|governors?|governing\s+bod(?:y|ies)|proprietors?|trustees?"
    r"|DSLs?|designated\s+safeguarding\s+leads?|deput(?:y|ies)|leads?|managers?|officers?|workers?|nurses?"
    r"|doctors?|GPs?|clinicians?|police|constables?|MASH|partners|partnerships?|agenc(?:y|ies)"
    r"|organisations?|authorit(?:y|ies)|councils?|boards?|panels?|services?|teams?|employers?|LADO"
    r"|(?:social\s+)?workers?|social\s+care|committees?|members|councillors|residents|chairs?|anyone|everyone|any\s+person|persons?|they|you|we)\b",
    re.IGNORECASE,
)
# Actions a duty-holder can be permitted to take; "may be/have/feel/indicate" are possibilities.
_ACTIONS = re.compile(
    r"(?:share|decide|ask|choose|request|refer|use|contact|consider|seek|call|make|take|invite|provide|disclose"
    r"|withhold|release|commission|convene|delegate|agree|appoint|apply|arrange|attend|carry|complete"
    r"|discuss|escalate|inform|involve|notify|record|report|speak|wish|adapt|develop|publish|offer"
    r"|give|visit|remove|search|confiscate|screen|exclude|delay|proceed|act|access|obtain|consult|allow"
    r"|approve|extend|vary|instigate|initiate|start|undertake|check|request|keep|store"
    r"|retain|pass|send|tell|advise|signpost|direct|draw|rely|accept|decline|refuse|ring|phone|email|write|propose|suggest|nominate)\b",
    re.IGNORECASE,
)
_PERMITTED_PASSIVE = re.compile(
    r"\s+be\s+(?:lawfully\s+|legitimately\s+)?(?:shared|disclosed|released|withheld|processed|passed)\b", re.IGNORECASE
)
_PARTICIPLE = re.compile(
    r"\s+(?:been|had|done|made|taken|given|seen|known|shown|gone|told|sought|brought|thought|kept|held|heard"
    r"|\w+ed)\b",
    re.IGNORECASE,
)
_MONTH = re.compile(r"(?:\d\s+May\b|\bMay\s+\d)")
# "and"/"or" do not end a subject: "Governing bodies ... and management committees may choose".
_CLAUSE_START = re.compile(r"(?:[,;:(]|\b(?:that|which|who|where|when|because|if|unless)\b)", re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
# "they may be required to run drugs", "can be expected to be difficult": a possibility, not a duty.
_HEDGED = re.compile(r"\b(?:may|might|could|can)\s+$", re.IGNORECASE)
_PUTATIVE_IF = re.compile(
    r"\b(?:if|in\s+case|lest)\s+(?:a|an|the|any|you|they|he|she|it|this|someone)\b[^,]{0,40}$", re.IGNORECASE
)
# "The review found that ...": a modal after this reports a past finding; it sets no duty.
_REPORTING = re.compile(
    r"\b(?:found|noted|reported|said|stated|observed|concluded|heard|explained|commented|highlighted"
    r"|acknowledged|recogni[sz]ed|confirmed|agreed|felt|believed|accepted|showed|shown|revealed|suggested|claimed"
    r"|(?:was|were)\s+told|told\s+(?:\w+\s+){0,3})\s*that\b"
    r"|\basked\s+(?:\w+\s+){0,3}?(?:whether|if)\b"
    r"|\b(?:said|agreed|felt|believed|thought|suggested|considered)\s+"
    r"(?=(?:this|it|the|they|he|she|there|we|schools?|staff|members|officers)\b)",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b(?:where|if|when|once|unless|whenever)\b[^,;]*$", re.IGNORECASE)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^‘]*?’(?![a-z])")

_RECOMMENDATION = re.compile(
    r"^\s*(?:recommendation\s*(?:\d+|[a-z]\b|:)|we\s+recommend|(?:it\s+is|it\s+was)\s+recommended\s+that)"
    r"|\b(?:recommended|recommends)\s+that\b",
    re.IGNORECASE,
)
_REQUIREMENT_TYPES = frozenset({"guidance", "procedure"})
_REVIEW_TYPES = frozenset({"review", "committee_paper", "minutes"})


def obligation_of(sentence: str) -> str | None:
    """The strength of the duty a sentence of guidance or procedure places on someone.

    Parameters: ``sentence`` one sentence (whitespace need not be cleaned).
    Returns 'must' (a legal requirement; also "must not", "is required to", "have a duty to",
    "shall"), 'should' (expected; also "ought to", "are expected to"), 'may' (permitted; "may"
    or "can" with a duty-holder and an action, "are permitted to", "can choose to") or None
    (no duty: possibility, hindsight, a question, a quotation, a reported finding). When a
    sentence carries several, the strongest wins.
    """
    phrase = _strongest(sentence)
    return phrase[0] if phrase else None


def obligation_phrase(sentence: str) -> tuple[int, int] | None:
    """Where the phrase that sets the duty is, for highlighting.

    Returns ``(start, end)`` offsets into ``sentence`` of the strongest duty's phrase ("must not",
    "are expected to", "may"), the first one when several are equally strong, or None.
    """
    phrase = _strongest(sentence)
    return (phrase[1], phrase[2]) if phrase else None


def sentence_kind(doc_type: str, sentence: str) -> str:
    """What a sentence is, given the kind of document it comes from.

    Returns 'requirement' for guidance and procedure documents; 'recommendation' when the sentence
    is one ("Recommendation 3: ...", "We recommend", "The committee recommended that", "it is
    recommended that", or in a review, committee paper or minutes, a sentence with a "must" or
    "should" duty); 'finding' for other sentences of reviews, committee papers and minutes;
    'statement' for everything else.
    """
    if doc_type in _REQUIREMENT_TYPES:
        return "requirement"
    if _RECOMMENDATION.search(sentence):
        return "recommendation"
    if doc_type in _REVIEW_TYPES:
        if obligation_of(sentence) in ("must", "should"):
            return "recommendation"
        return "finding"
    return "statement"


def _strongest(sentence: str) -> tuple[str, int, int] | None:
    if sentence.rstrip().endswith("?"):
        return None  # "Should the school have referred her sooner?" asks; it does not require.
    quoted = [m.span() for m in _QUOTED.finditer(sentence) if len(m.group(0).split()) > 1]
    found: list[tuple[str, int, int]] = []
    for strength, start, end in _candidates(sentence):
        if any(q_start <= start < q_end for q_start, q_end in quoted):
            continue
        if _reported(sentence, start):
            continue
        found.append((strength, start, end))
    if not found:
        return None
    return min(found, key=lambda f: (OBLIGATIONS.index(f[0]), f[1]))


def _candidates(sentence: str) -> list[tuple[str, int, int]]:
    candidates: list[tuple[str, int, int]] = []
    for match in _MUST_PHRASES.finditer(sentence):
        if _HEDGED.search(sentence[: match.start()]):
            continue
        candidates.append(("must", *match.span()))
    for match in _SHOULD_PHRASES.finditer(sentence):
        if _HEDGED.search(sentence[: match.start()]):
            continue
        if match.group(0).lower().startswith(("is", "are", "be")) and _FORECAST.match(sentence, match.end()):
            continue
        candidates.append(("should", *match.span()))
    for match in _MAY_PHRASES.finditer(sentence):
        candidates.append(("may", *match.span()))
    for match in _MODAL.finditer(sentence):
        strength = _modal_strength(sentence, match)
        if strength:
            candidates.append((strength, *match.span()))
    return candidates


def _modal_strength(sentence: str, match: re.Match[str]) -> str | None:
    word = match.group(1).lower()
    negated = match.end() > match.end(1)
    after = sentence[match.end() :]
    after_adverbs = re.match(_ADVERBS, after, re.IGNORECASE)
    rest = after[after_adverbs.end() :] if after_adverbs else after
    if word in ("must", "should"):
        have = re.match(r"\s+have", rest, re.IGNORECASE)
        if have and _PARTICIPLE.match(rest, have.end()):
            return None  # "should have been referred", "must have known": hindsight or inference
        if word == "should":
            if not sentence[: match.start()].strip():
                return None  # "Should a child go missing, ...": a condition
            if _PUTATIVE_IF.search(_clause_before(sentence, match.start(), stop_at_if=False)):
                return None  # "if a child should disclose": a condition
        return word
    # "may" and "can": permission only for a duty-holder taking an action.
    if match.group(1) == "May" and (
        _MONTH.search(sentence[max(0, match.start() - 3) : match.end() + 3]) or match.start() > 0
    ):
        return None  # the month
    if word == "can" and negated:
        return None  # "cannot" is mostly inability
    if _PERMITTED_PASSIVE.match(rest) and not negated:
        return "may"  # "information may be shared without consent"
    if not _ACTIONS.match(rest.lstrip()) or not rest[:1].isspace():
        return None
    subject = _clause_before(sentence, match.start(), stop_at_if=True)
    if not (_AGENTS.search(subject) or _ACRONYM.search(subject)):
        return None
    # "staff may not use personal phones": a prohibition is a requirement.
    return "must" if negated else "may"


def _clause_before(sentence: str, position: int, *, stop_at_if: bool) -> str:
    before = sentence[:position]
    starts = [m.end() for m in _CLAUSE_START.finditer(before) if stop_at_if or m.group(0).lower() != "if"]
    return before[max(starts, default=0) :]


def _reported(sentence: str, position: int) -> bool:
    for match in _REPORTING.finditer(sentence, 0, position):
        before = sentence[: match.start()]
        # "it is agreed that schools should": present passive, the guidance speaking, not a report.
        if re.search(r"\b(?:is|are|be)\s+$", before, re.IGNORECASE):
            continue
        if not _CONDITIONAL.search(before):
            return True
    return False
