"""Who a recommendation is addressed to, where its text says ("The MASH should...", "For LSCPs to..."),
and what kind of body made it (review, committee, inspectorate), from its document."""

from __future__ import annotations

import re

from search.models import DocumentRecord

_MODAL_SUBJECT = re.compile(
    r"^(?:that\s+)?(?P<subject>(?:the\s+)?[A-Z][\w’'&,\- ]{1,80}?)\s+"
    r"(?:should|must|will|needs?\s+to|ought\s+to|is\s+to|are\s+to|agrees|accepts|allocates|funds|ensures|asks|"
    r"considers|publishes)\b",
)
_FOR_SUBJECT = re.compile(r"^for\s+(?P<subject>.{2,90}?)\s+to\s+", re.I)
_BODY = (
    r"(?:[A-Z]{2,}[\w’']*(?:\s+[A-Z][\w’']*)*|(?i:(?:local\s+|county\s+)?council|partnership|partners|board|police|"
    r"constabulary|schools?|cabinet|committee|local\s+authority|health\s+\w+|agencies|government|department|"
    r"\w+\s+team|service\s+manager|director))"
)
_THAT_SUBJECT = re.compile(
    rf"\b[Rr]ecommends?\s+(?:to\s+[\w ]{{1,30}}?\s+)?that\s+(?:[Tt]he\s+)?(?P<subject>{_BODY})\s+[a-z]"
)
_NOT_A_SUBJECT = re.compile(r"^(?:this|it|there|these|they|each|every|all|any|a|an|i|we)\b|\brecommends?\b", re.I)
_INSPECTORATE = re.compile(r"\b(?:ofsted|inspection|inspectorate|inspectors?|hmi|hmicfrs|cqc|estyn)\b", re.I)
_COMMITTEE = re.compile(r"\b(?:scrutiny|committee|panel|cabinet|council meeting|sub-?committee)\b", re.I)


def addressee_of(text: str) -> str | None:
    """The body a recommendation's text addresses ("MASH", "Cabinet", "housing officers and providers"), or None."""
    for pattern in (_FOR_SUBJECT, _THAT_SUBJECT, _MODAL_SUBJECT):
        match = pattern.search(text) if pattern is _THAT_SUBJECT else pattern.match(text)
        if match:
            subject = match.group("subject").strip(" ,")
            subject = re.sub(r"^(?:the|that)\s+", "", subject, flags=re.I)
            if subject and len(subject.split()) <= 8 and not _NOT_A_SUBJECT.match(subject):
                return subject
    return None


def made_by_of(document: DocumentRecord, hint: str | None = None) -> str:
    """The kind of body that made a document's recommendations: inspectorate, committee, review or other.

    ``hint`` is what a sentence names ("the committee recommended...") and wins when given.
    """
    if hint:
        return hint
    described = " ".join(part for part in (document.title, document.publisher or "") if part)
    if _INSPECTORATE.search(described):
        return "inspectorate"
    if document.doc_type in ("committee_paper", "minutes") or _COMMITTEE.search(described):
        return "committee"
    if document.doc_type == "review":
        return "review"
    return "other"
