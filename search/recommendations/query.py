"""Reading the register: filtered lists, a hybrid search over the records, one record in full, the chains.

A query ranks records by keyword (SQLite FTS5 BM25 over their words) and by meaning (cosine
similarity of embeddings), fused by reciprocal rank; records that neither mention a query word nor
come close in meaning are left out, so "recording referrals" does not return the whole register.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from search.errors import QueryError, RecommendationNotFoundError
from search.models import within_dates
from search.recommendations.followup import current_status
from search.recommendations.models import (
    MADE_BY,
    STATUSES,
    Recommendation,
    RecommendationDetail,
    RecurrenceChain,
    RecurrenceLink,
    StatusEvent,
)
from search.recommendations.recurrence import chain_label
from search.recommendations.register import Register, StoredDocument, StoredEvent, StoredRecommendation
from search.recommendations.themes import Taxonomy
from search.recommendations.verbatim import searchable

MIN_SIMILARITY = 0.3
"""Least cosine similarity for a record to match a query by meaning alone."""
KEYWORD_SIMILARITY = 0.15
"""Least cosine similarity for a record matching query words to be kept."""
RRF_K = 60
_STOP_WORDS = frozenset(
    "a an and are as at be by did do does for from has have how in is it its of on or our that the their them "
    "there these this to was we were what when where which who why will with about recommend recommended "
    "recommendation recommendations happened happen after".split()
)


@dataclass(frozen=True)
class RecommendationFilters:
    """Restrictions on the records listed (all optional, combined with AND; dates inclusive)."""

    theme: str | None = None
    status: str | None = None
    made_by: str | None = None
    recurring: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def admits(self, record: Recommendation) -> bool:
        """Whether ``record`` passes every filter."""
        if self.theme and self.theme not in record.themes:
            return False
        if self.status and record.status != self.status:
            return False
        if self.made_by and record.made_by != self.made_by:
            return False
        if self.recurring is not None and record.recurring != self.recurring:
            return False
        return within_dates(record.date, self.date_from, self.date_to)


def checked_filters(
    taxonomy: Taxonomy,
    *,
    theme: str | None,
    status: str | None,
    made_by: str | None,
    recurring: bool | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> RecommendationFilters:
    """Filters with names checked; raises QueryError naming the bad value and the values allowed."""
    canonical_theme = None
    if theme:
        canonical_theme = taxonomy.canonical(theme)
        if canonical_theme is None:
            raise QueryError(f"unknown theme {theme!r}: use one of {'; '.join(taxonomy.names)}")
    if status and status.lower() not in STATUSES:
        raise QueryError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    if made_by and made_by.lower() not in MADE_BY:
        raise QueryError(f"unknown maker {made_by!r}: use one of {', '.join(MADE_BY)}")
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"the date range {date_from} to {date_to} is empty: put the earlier date first")
    return RecommendationFilters(
        theme=canonical_theme,
        status=status.lower() if status else None,
        made_by=made_by.lower() if made_by else None,
        recurring=recurring,
        date_from=date_from,
        date_to=date_to,
    )


def _themes_named(taxonomy: Taxonomy, query: str) -> set[str]:
    """Themes whose keyword cues the query uses."""
    folded = searchable(query)
    return {theme.name for theme in taxonomy.themes if theme.pattern.search(folded)}


class RegisterView:
    """The register as records, assembled once per open (it is small: one row per recommendation).

    Parameters:
        register: the open register file.
    """

    def __init__(self, register: Register, *, visible_doc_ids: frozenset[str] | None = None) -> None:
        self.register = register
        documents = register.documents()
        if visible_doc_ids is not None:
            documents = {doc_id: doc for doc_id, doc in documents.items() if doc_id in visible_doc_ids}
        self.documents: dict[str, StoredDocument] = documents
        self.stored: list[StoredRecommendation] = [s for s in register.recommendations() if s.doc_id in documents]
        visible_ids = {stored.id for stored in self.stored}
        every_group = register.groups()
        self.groups = {rec_id: group for rec_id, group in every_group.items() if rec_id in visible_ids}
        events: dict[str, list[StoredEvent]] = {}
        for event in register.events():
            # Status evidence from a document the reader may not see is left out with the document.
            if event.rec_id in visible_ids and event.doc_id in documents:
                events.setdefault(event.rec_id, []).append(event)
        self.events = events
        members: dict[str, list[str]] = {}
        for record in self.stored:
            group = self.groups.get(record.id)
            if group:
                members.setdefault(group, []).append(record.id)
        self.labels = register.chain_labels()
        if visible_doc_ids is not None:
            members = self._visible_chains(members, Counter(every_group.values()))
        self.members = members
        self.records = [self._record(stored) for stored in self.stored]
        self.by_id = {record.id: record for record in self.records}
        self.stored_by_id = {stored.id: stored for stored in self.stored}

    def _visible_chains(self, members: dict[str, list[str]], full_sizes: Counter[str]) -> dict[str, list[str]]:
        """Chains as a reader with limited clearance sees them: only chains that still span two
        documents count, and labels are remade from the visible records (a label quotes a record)."""
        by_id = {stored.id: stored for stored in self.stored}
        kept: dict[str, list[str]] = {}
        for group, rec_ids in members.items():
            if len({by_id[rec_id].doc_id for rec_id in rec_ids}) >= 2:
                kept[group] = rec_ids
                if len(rec_ids) < full_sizes[group]:
                    self.labels[group] = chain_label([by_id[rec_id] for rec_id in rec_ids])
            else:
                for rec_id in rec_ids:
                    self.groups.pop(rec_id, None)
        return kept

    def _page(self, stored: StoredRecommendation, page: int) -> int | None:
        return page if self.documents[stored.doc_id].paged else None

    def _record(self, stored: StoredRecommendation) -> Recommendation:
        document = self.documents[stored.doc_id]
        latest = current_status(self.events.get(stored.id, []))
        group = self.groups.get(stored.id)
        return Recommendation(
            id=stored.id,
            text=stored.text,
            doc_id=stored.doc_id,
            title=document.title,
            source=document.source,
            page=self._page(stored, stored.page),
            number=stored.number,
            date=stored.date,
            made_by=stored.made_by,
            addressee=stored.addressee,
            themes=stored.themes,
            status=latest.status if latest else None,
            status_evidence=latest.evidence if latest else None,
            recurrence_group=group,
            similar=tuple(rec_id for rec_id in self.members.get(group, []) if rec_id != stored.id) if group else (),
        )

    # -- lists and search -------------------------------------------------------------------------
    def find(
        self,
        filters: RecommendationFilters,
        query: str | None = None,
        embed_query: Callable[[str], Sequence[float]] | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> list[Recommendation]:
        """Records passing ``filters``; with a ``query``, only those matching it, best first.

        Three rankings are fused: keyword (BM25), meaning (cosine), and the themes whose cues the
        query uses ("recording referrals" names two themes; records with both come first).
        Without a query, records come in date order, then document order.
        """
        records = [record for record in self.records if filters.admits(record)]
        if not query:
            return records
        text = " ".join(query.split())
        if not text:
            raise QueryError("the query is empty: type some words, or leave --query out to list everything")
        if embed_query is None:
            raise QueryError("a query needs the embedding model: pass the service's embedder")
        words = [word for word in re.findall(r"\w+", searchable(text).lower()) if word not in _STOP_WORDS]
        keyword_rank = {rec_id: rank for rank, rec_id in enumerate(self.register.keyword_matches(words, 1000), 1)}
        allowed = {record.id for record in records}
        vector = np.asarray(embed_query(text), dtype=np.float32)
        similarity = {stored.id: float(stored.vector @ vector) for stored in self.stored if stored.vector is not None}
        semantic = sorted(
            (rec_id for rec_id in similarity if rec_id in allowed), key=lambda rec_id: -similarity[rec_id]
        )
        semantic_rank = {rec_id: rank for rank, rec_id in enumerate(semantic, 1)}
        named = _themes_named(taxonomy, text) if taxonomy else set()
        theme_hits = {record.id: len(named & set(record.themes)) for record in records if named & set(record.themes)}
        theme_order = sorted(theme_hits, key=lambda rec_id: (-theme_hits[rec_id], semantic_rank.get(rec_id, 0)))
        theme_rank = {rec_id: rank for rank, rec_id in enumerate(theme_order, 1)}
        scores: dict[str, float] = {}
        for rec_id in allowed:
            close = similarity.get(rec_id, 0.0)
            by_words = rec_id in keyword_rank and close >= KEYWORD_SIMILARITY
            if not (by_words or close >= MIN_SIMILARITY):
                continue
            score = 1.0 / (RRF_K + semantic_rank.get(rec_id, len(semantic) + 1))
            if rec_id in keyword_rank:
                score += 1.0 / (RRF_K + keyword_rank[rec_id])
            if rec_id in theme_rank:
                score += 1.0 / (RRF_K + theme_rank[rec_id])
            scores[rec_id] = score
        return sorted((self.by_id[rec_id] for rec_id in scores), key=lambda record: -scores[record.id])

    # -- one record -------------------------------------------------------------------------------
    def detail(self, rec_id: str) -> RecommendationDetail:
        """A record with its theme reasons, status history and recurrence chain."""
        record = self.by_id.get(rec_id.strip())
        if record is None:
            raise RecommendationNotFoundError(
                f"no recommendation with id {rec_id!r} is in the register: list them with `lessons recommendations` "
                "(ids look like DOC_ID:R3)"
            )
        stored = self.stored_by_id[record.id]
        history = tuple(self._event(event) for event in self.events.get(record.id, []))
        chain = self._chain(record.recurrence_group) if record.recurrence_group else None
        return RecommendationDetail(
            record=record,
            theme_reasons=tuple(self.register.theme_reasons(record.id)),
            status_history=history,
            chain=chain,
            page_end=self._page(stored, stored.page_end),
        )

    def _event(self, event: StoredEvent) -> StatusEvent:
        document = self.documents[event.doc_id]
        return StatusEvent(
            date=document.published,
            status=event.status,
            doc_id=event.doc_id,
            title=document.title,
            page=event.page if document.paged else None,
            evidence=event.evidence,
            source=document.source,
        )

    # -- chains -----------------------------------------------------------------------------------
    def chains(self) -> list[RecurrenceChain]:
        """Every recurrence chain, the longest-running first (most documents, then earliest)."""
        chains = [self._chain(group) for group in self.members]
        return sorted(chains, key=lambda chain: (-chain.documents, chain.links[0].date or "", chain.group_id))

    def _chain(self, group: str) -> RecurrenceChain:
        links = []
        for rec_id in self.members.get(group, []):
            record = self.by_id[rec_id]
            links.append(
                RecurrenceLink(
                    rec_id=record.id,
                    doc_id=record.doc_id,
                    title=record.title,
                    date=record.date,
                    page=record.page,
                    number=record.number,
                    quote=record.text,
                    status=record.status,
                )
            )
        return RecurrenceChain(group_id=group, label=self.labels.get(group, ""), links=tuple(links))
