"""The library: what is indexed, with editions grouped and counts by document type and year."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from search.answers.editions import edition_view
from search.models import DocumentRecord


@dataclass(frozen=True)
class EditionGroup:
    """Documents of one series (e.g. the yearly editions of a guidance), newest first.

    ``in_force`` is the doc id of the latest edition; the others are superseded by it.
    """

    series: str
    title: str
    editions: tuple[DocumentRecord, ...]
    in_force: str | None


@dataclass(frozen=True)
class LibraryOverview:
    """Every indexed document (by title), the series among them, and counts for a chart.

    ``by_year`` is keyed by the year published ('undated' when unknown), in year order;
    ``superseded`` holds the doc ids that a later edition replaces.
    """

    documents: tuple[DocumentRecord, ...]
    editions: tuple[EditionGroup, ...]
    by_type: dict[str, int]
    by_year: dict[str, int]
    superseded: frozenset[str]

    def edition_of(self, doc_id: str) -> EditionGroup | None:
        """The series a document belongs to, or None when it stands alone."""
        for group in self.editions:
            if any(document.doc_id == doc_id for document in group.editions):
                return group
        return None


def library_overview(documents: list[DocumentRecord]) -> LibraryOverview:
    """Group ``documents`` into editions and count them by type and year."""
    view = edition_view({document.doc_id: document for document in documents})
    groups = []
    for key, members in view.members.items():
        if len(members) < 2:
            continue
        newest_first = tuple(sorted(members, key=lambda d: (d.published or "", d.doc_id), reverse=True))
        groups.append(
            EditionGroup(
                series=key, title=newest_first[0].title, editions=newest_first, in_force=view.in_force.get(key)
            )
        )
    years = Counter((document.published or "")[:4] or "undated" for document in documents)
    return LibraryOverview(
        documents=tuple(documents),
        editions=tuple(sorted(groups, key=lambda group: group.title.lower())),
        by_type=dict(sorted(Counter(document.doc_type for document in documents).items())),
        by_year=dict(sorted(years.items(), key=lambda item: (item[0] == "undated", item[0]))),
        superseded=view.superseded,
    )
