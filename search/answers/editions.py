"""Editions: documents reissued in a series (KCSIE every year, Working Together 2018 and 2023).

A series is named by a document's ``series`` metadata, or inferred from its title with the years
taken out, within one document type. The edition in force at a date is the latest
one published on or before it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from search.models import DocumentRecord

_YEARS = re.compile(r"\b(19|20)\d{2}\b|\b\d{4}\s*(?:to|-|–)\s*\d{2,4}\b")
_NOISE = re.compile(r"[^a-z]+")


@functools.lru_cache(maxsize=100_000)
def series_key(document: DocumentRecord) -> str:
    """The series a document belongs to (its own id when it stands alone and has no title to group by)."""
    if document.series:
        return f"series:{document.series}"
    title = _NOISE.sub(" ", _YEARS.sub(" ", document.title.lower())).strip()
    return f"title:{document.doc_type}:{title}" if title else f"doc:{document.doc_id}"


@dataclass(frozen=True)
class EditionView:
    """Which documents are editions, which is in force, and which are left out at a date.

    ``in_force`` maps a series key to the doc id in force; ``superseded`` holds the doc ids with
    a later edition in force; ``not_yet_published`` those published after the as-at date.
    """

    series_of: dict[str, str]
    members: dict[str, list[DocumentRecord]]
    in_force: dict[str, str]
    superseded: frozenset[str]
    not_yet_published: frozenset[str]

    def is_series(self, doc_id: str) -> bool:
        """True when the document has other editions in the store."""
        return len(self.members.get(self.series_of.get(doc_id, ""), [])) > 1

    def edition_label(self, document: DocumentRecord) -> str | None:
        """'2024 edition' (from the published year) for a document of a series, else None."""
        if not self.is_series(document.doc_id) or not document.published:
            return None
        return f"{document.published[:4]} edition"

    def current_for(self, doc_id: str) -> str | None:
        """The doc id of the edition in force in this document's series (None when not a series)."""
        if not self.is_series(doc_id):
            return None
        return self.in_force.get(self.series_of[doc_id])


def edition_view(documents: dict[str, DocumentRecord], as_at: dt.date | None = None) -> EditionView:
    """Group documents into series and decide, for each, the edition in force at ``as_at`` (default: now)."""
    members: dict[str, list[DocumentRecord]] = defaultdict(list)
    series_of: dict[str, str] = {}
    for document in documents.values():
        key = series_key(document)
        members[key].append(document)
        series_of[document.doc_id] = key
    limit = (as_at or dt.date.max).isoformat()
    not_yet = frozenset(
        d.doc_id for d in documents.values() if as_at is not None and d.published and d.published > limit
    )
    in_force: dict[str, str] = {}
    superseded: set[str] = set()
    for key, group in members.items():
        if len(group) < 2:
            continue
        dated = sorted(
            (d for d in group if d.published and d.doc_id not in not_yet), key=lambda d: (d.published, d.doc_id)
        )
        if not dated:
            continue
        current = dated[-1]
        in_force[key] = current.doc_id
        superseded.update(d.doc_id for d in dated[:-1])
    return EditionView(
        series_of=series_of,
        members=dict(members),
        in_force=in_force,
        superseded=frozenset(superseded),
        not_yet_published=not_yet,
    )
