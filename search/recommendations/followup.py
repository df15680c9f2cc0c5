"""Follow-up across papers: which recommendation a later passage means when it cites "Recommendation 2".

A citation is matched to a recommendation with that number in another, earlier document. Three
kinds of evidence decide, strongest first:

1. the words naming the document ("of the 2016 LSCB audit", "Scrutiny Recommendation 4"),
   compared with each candidate document's title, publisher, year and acronyms;
2. what the passage says the recommendation was about ("structured MASH decision form in
   Compass"), compared in meaning with each candidate's text, when one candidate stands clearly out;
3. the document most of the citing document's confident citations point to (a minutes item
   reporting on "the committee's recommendations" cites one paper throughout).

A citation matched by none of these is left out rather than guessed. A citation without a status
("this procedure implements Recommendations 1 to 8 of the council's 2020 review") becomes an event
with no status only when the words name the document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from search.recommendations.register import StoredDocument, StoredEvent, StoredMention, StoredRecommendation

CUE_CONFIDENT = 0.2
"""Least document-naming score for a citation to be matched on the words naming the document."""
TYPE_BONUS = 0.2
"""Added when the citation names the document's type ("of the 2020 review" and a review)."""
CLEAR_MARGIN = 0.12
"""How far ahead in meaning the best candidate must be to be matched on the description alone."""
SOME_MARGIN = 0.05
_STOP = frozenset(
    "of the in from by made a an its their his her council's councils our this that to for on and at with".split()
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class FollowUp:
    """The result of matching citations: status events, and the pairs of recommendations that the
    documents themselves treat as one (a recommendation citing another in its own text, two
    recommendations cited in one sentence, or one cited under the heading of another)."""

    events: list[StoredEvent]
    links: list[tuple[str, str]]


def _words(text: str) -> list[str]:
    return [
        word.rstrip("s") if len(word) > 4 else word for word in re.findall(r"[a-z0-9]+", text.lower().replace("'s", ""))
    ]


def _acronyms(text: str) -> set[str]:
    """Acronyms of runs of capitalised words: "Local Safeguarding Children Board" gives "lscb"."""
    found: set[str] = set()
    for run in re.findall(r"(?:[A-Z][\w'’-]*\s+)+[A-Z][\w'’-]*", text):
        initials = "".join(word[0] for word in run.split()).lower()
        for start in range(len(initials)):
            for end in range(start + 3, min(len(initials), start + 8) + 1):
                found.add(initials[start:end])
    return found


def document_words(document: StoredDocument, made_by: str | None = None) -> set[str]:
    """The words a citation may use to name a document: title, publisher, type, year, acronyms."""
    parts = [part for part in (document.title, document.publisher or "") if part]
    words = set(_words(" ".join(parts))) | set(_words(document.doc_type.replace("_", " ")))
    for part in parts:
        words |= _acronyms(part)
    if made_by:
        words |= set(_words(made_by))
    if document.published:
        words.add(document.published[:4])
    return words


def cue_score(cue: str, document: StoredDocument, made_by: str | None = None) -> float:
    """How well the words of a citation name ``document`` (about -0.6 to 1.0; 0 when the cue says nothing)."""
    tokens = [word for word in _words(cue) if word not in _STOP]
    if not tokens:
        return 0.0
    years = [word for word in tokens if _YEAR.match(word)]
    keywords = [word for word in tokens if not _YEAR.match(word)]
    score = 0.0
    published = (document.published or "")[:4]
    if years:
        score += 0.4 if published in years else -0.6
    if keywords:
        known = document_words(document, made_by)
        score += 0.6 * sum(word in known for word in keywords) / len(keywords)
        kind = set(_words(document.doc_type.replace("_", " ")))
        if kind & set(keywords):
            score += TYPE_BONUS
    return score


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    if a is None or b is None:
        return 0.0
    return float(np.dot(a, b))


@dataclass
class _Match:
    mention: StoredMention
    number: int
    candidates: list[tuple[StoredRecommendation, float, float]]  # (record, cue, similarity)

    def best_by_cue(self) -> StoredRecommendation | None:
        # Equally well named, the latest earlier document wins: "the review" is the last review.
        ranked = sorted(self.candidates, key=lambda c: (-round(c[1], 3), _negated(c[0].date), -c[2]))
        if not ranked or ranked[0][1] < CUE_CONFIDENT:
            return None
        if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= SOME_MARGIN:
            return ranked[0][0]
        if (ranked[0][0].date or "") > (ranked[1][0].date or ""):
            return ranked[0][0]
        return None

    def best_by_meaning(self, margin: float) -> StoredRecommendation | None:
        if not self.mention.description:
            return None
        ranked = sorted(self.candidates, key=lambda c: -(c[2] + max(c[1], 0.0)))
        if not ranked:
            return None
        lead = ranked[0][2] + max(ranked[0][1], 0.0)
        runner = ranked[1][2] + max(ranked[1][1], 0.0) if len(ranked) > 1 else -1.0
        return ranked[0][0] if lead - runner >= margin and ranked[0][2] >= 0.3 else None


def _negated(date: str | None) -> tuple[int, ...]:
    """A sort key putting later ISO dates first (undated last)."""
    return tuple(-ord(char) for char in date) if date else (1,)


def _earlier(record_date: str | None, mention_date: str | None) -> bool:
    return record_date is None or mention_date is None or record_date <= mention_date


def follow_up(
    recommendations: list[StoredRecommendation],
    mentions: list[StoredMention],
    documents: dict[str, StoredDocument],
) -> FollowUp:
    """Match every citation to the recommendation it means and list the status events that follow.

    Returns the events (own statuses included, in date order per recommendation) and the pairs
    (recommendation, the earlier one its text says it repeats).
    """
    made_by = {r.doc_id: r.made_by for r in recommendations}
    by_number: dict[int, list[StoredRecommendation]] = {}
    numbered: dict[str, list[StoredRecommendation]] = {}
    for record in recommendations:
        if record.rec_number is not None:
            by_number.setdefault(record.rec_number, []).append(record)
            numbered.setdefault(record.doc_id, []).append(record)

    matches: list[_Match] = []
    resolved: list[tuple[StoredMention, StoredRecommendation]] = []
    for mention in mentions:
        if mention.all_of:
            resolved += [(mention, record) for record in _all_of(mention, numbered, documents, made_by)]
            continue
        for number in mention.numbers:
            candidates = [
                (
                    record,
                    cue_score(mention.cue, documents[record.doc_id], made_by.get(record.doc_id)),
                    _cosine(mention.vector, record.vector),
                )
                for record in by_number.get(number, [])
                if record.doc_id != mention.doc_id and _earlier(record.date, mention.date)
            ]
            if candidates:
                matches.append(_Match(mention, number, candidates))

    by_cue = {index: match.best_by_cue() for index, match in enumerate(matches)}
    by_meaning = {index: match.best_by_meaning(CLEAR_MARGIN) for index, match in enumerate(matches)}
    targets: dict[str, Counter[str]] = {}
    for index, match in enumerate(matches):
        confident = by_cue[index] or by_meaning[index]
        if confident is not None:
            targets.setdefault(match.mention.doc_id, Counter())[confident.doc_id] += 1
    for index, match in enumerate(matches):
        chosen = by_cue[index]
        reports = bool(match.mention.statuses or match.mention.repeats)
        if chosen is None and reports:
            # A citation that does not name its document means the one its neighbours mean.
            counts = targets.get(match.mention.doc_id)
            majority = counts.most_common(1)[0][0] if counts else None
            chosen = next((c[0] for c in match.candidates if c[0].doc_id == majority), None)
            chosen = chosen or by_meaning[index] or match.best_by_meaning(SOME_MARGIN)
        if chosen is not None:
            resolved.append((match.mention, chosen))

    return FollowUp(_events(recommendations, resolved, documents), _links(resolved))


def _all_of(
    mention: StoredMention,
    numbered: dict[str, list[StoredRecommendation]],
    documents: dict[str, StoredDocument],
    made_by: dict[str, str],
) -> list[StoredRecommendation]:
    """ "accepts all ten recommendations of the review": the earlier document with that many, best named."""
    options = [
        (cue_score(mention.cue, documents[doc_id], made_by.get(doc_id)), doc_id)
        for doc_id, records in numbered.items()
        if doc_id != mention.doc_id
        and len({r.rec_number for r in records}) == mention.all_of
        and _earlier(documents[doc_id].published, mention.date)
    ]
    options.sort(reverse=True)
    if not options or options[0][0] <= 0 or (len(options) > 1 and options[0][0] - options[1][0] < SOME_MARGIN):
        return []
    return numbered[options[0][1]]


def _events(
    recommendations: list[StoredRecommendation],
    resolved: list[tuple[StoredMention, StoredRecommendation]],
    documents: dict[str, StoredDocument],
) -> list[StoredEvent]:
    rows: dict[str, list[tuple[tuple[str, str, int, int], str | None, str, int, str]]] = {}
    for record in recommendations:
        if record.own_status:
            key = (record.date or "", record.doc_id, -1, 0)
            rows.setdefault(record.id, []).append(
                (key, record.own_status, record.doc_id, record.page, record.own_status_evidence or record.text)
            )
    for mention, record in resolved:
        if mention.statuses:
            for order, status in enumerate(mention.statuses):
                key = (mention.date or "", mention.doc_id, mention.position, order)
                rows.setdefault(record.id, []).append((key, status, mention.doc_id, mention.page, mention.evidence))
        else:
            key = (mention.date or "", mention.doc_id, mention.position, 0)
            rows.setdefault(record.id, []).append((key, None, mention.doc_id, mention.page, mention.evidence))
    events: list[StoredEvent] = []
    for rec_id, found in rows.items():
        found.sort(key=lambda row: row[0])
        with_status = {(row[2]) for row in found if row[1] is not None}
        seen: set[tuple[str | None, str]] = set()
        quiet_docs: set[str] = set()
        position = 0
        for _key, reported, doc_id, page, evidence in found:
            if reported is None and (doc_id in with_status or doc_id in quiet_docs):
                continue  # a document that also gives a status, or was already cited, says nothing new
            if (reported, doc_id) in seen:
                continue  # "Recommendation 2: implemented" and the resolution recording it: one event
            seen.add((reported, doc_id))
            if reported is None:
                quiet_docs.add(doc_id)
            events.append(StoredEvent(rec_id, position, reported, doc_id, page, evidence))
            position += 1
    return events


def _links(resolved: list[tuple[StoredMention, StoredRecommendation]]) -> list[tuple[str, str]]:
    """Pairs of recommendations in different documents that the documents say belong together."""
    pairs: set[tuple[str, str]] = set()
    by_sentence: dict[tuple[str, int, str], set[tuple[str, str]]] = {}
    by_position: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for mention, record in resolved:
        if mention.all_of or len(mention.numbers) != 1:
            continue  # "all ten recommendations", "Recommendations 1 to 8": a list, not one subject
        if mention.within_id and mention.within_id.split(":")[0] != record.doc_id:
            pairs.add(_ordered(mention.within_id, record.id))
        cited = (record.doc_id, record.id)
        by_sentence.setdefault((mention.doc_id, mention.page, mention.evidence), set()).add(cited)
        by_position.setdefault((mention.doc_id, mention.position), set()).add(cited)
    for cited_together in by_sentence.values():
        _pair_across_documents(cited_together, cited_together, pairs)
    for mention, record in resolved:
        if mention.under is not None and not mention.all_of and len(mention.numbers) == 1:
            heading = by_position.get((mention.doc_id, mention.under), set())
            _pair_across_documents({(record.doc_id, record.id)}, heading, pairs)
    return sorted(pairs)


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _pair_across_documents(
    first: set[tuple[str, str]], second: set[tuple[str, str]], pairs: set[tuple[str, str]]
) -> None:
    for doc_a, a in first:
        for doc_b, b in second:
            if doc_a != doc_b:
                pairs.add(_ordered(a, b))


def current_status(events: list[StoredEvent]) -> StoredEvent | None:
    """The latest event that gives a status (events come in date order)."""
    return next((event for event in reversed(events) if event.status is not None), None)
