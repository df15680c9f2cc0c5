"""Find every recommendation in one document, and every passage citing recommendations by number.

Lists ("Recommendation 3:", items under "Recommendations" or "What needs to improve") come first;
sentences that make a recommendation ("the team recommends that...") are taken from what the lists
left. Each recommendation's text is checked to occur on its page (or to run on to the next) before
it is kept: nothing is invented.
"""

from __future__ import annotations

import logging

from ingest.recommendations.addressees import addressee_of, made_by_of
from ingest.recommendations.layout import document_lines, page_bodies
from ingest.recommendations.lists import KEYWORD, NUMBER, ListItem, find_list_items
from ingest.recommendations.mentions import find_mentions
from ingest.recommendations.sentences import find_prose_recommendations
from search.models import DocumentRecord
from search.recommendations.models import ExtractedRecommendation, RecommendationMention
from search.recommendations.verbatim import quote_on_pages

log = logging.getLogger(__name__)

RECOMMENDING_TYPES: tuple[str, ...] = ("review", "committee_paper", "minutes", "statement", "other")
"""Document types whose recommendations the register records (guidance and procedures state duties instead)."""

EXTRACTOR_VERSION = "1"
"""Bump when extraction changes, so the register re-reads every document."""


def extract_recommendations(
    document: DocumentRecord, pages: list[str]
) -> tuple[list[ExtractedRecommendation], list[RecommendationMention]]:
    """The recommendations ``document`` makes and the citations of recommendations it holds.

    Parameters: ``document`` the stored record (its type and title decide who made them);
    ``pages`` the text of each page (one entry for formats without pages).
    Returns (recommendations in reading order, mentions). Documents of types outside
    ``RECOMMENDING_TYPES`` make none but may still report on others'.
    """
    bodies = page_bodies(pages)
    recommendations: list[ExtractedRecommendation] = []
    spans: dict[int, list[tuple[int, int, str]]] = {}
    if document.doc_type in RECOMMENDING_TYPES:
        lines = document_lines(bodies)
        items = find_list_items(lines, paragraph_lines=document.pages is None)
        keys = _item_keys(items)
        for item, key in zip(items, keys, strict=True):
            record = _from_item(document, item, key)
            if _verified(record, pages, document):
                recommendations.append(record)
                for line in item.lines:
                    spans.setdefault(line.page, []).append((line.start, line.end, key))
        taken = {page: [(start, end) for start, end, _ in found] for page, found in spans.items()}
        used: set[str] = set()
        for prose in find_prose_recommendations(bodies, taken):
            base = f"p{prose.paragraph}" if prose.paragraph else f"s{prose.page}"
            key = _unique(base, used, {r.key for r in recommendations})
            record = ExtractedRecommendation(
                key=key,
                text=prose.text,
                page=prose.page,
                page_end=prose.page,
                number=f"para {prose.paragraph}" if prose.paragraph else None,
                rec_number=None,
                made_by=made_by_of(document, prose.made_by),
                addressee=addressee_of(prose.text),
                own_status=prose.own_status,
                own_status_evidence=prose.text if prose.own_status else None,
            )
            if _verified(record, pages, document):
                recommendations.append(record)
                spans.setdefault(prose.page, []).append((prose.start, prose.end, key))
    own_numbers = {r.rec_number for r in recommendations if r.rec_number is not None}
    mentions = find_mentions(bodies, own_numbers, spans)
    recommendations.sort(key=lambda r: (r.page, _first_offset(spans, r)))
    return recommendations, mentions


def _first_offset(spans: dict[int, list[tuple[int, int, str]]], record: ExtractedRecommendation) -> int:
    return min((start for start, _, key in spans.get(record.page, []) if key == record.key), default=0)


def _item_keys(items: list[ListItem]) -> list[str]:
    used: set[str] = set()
    keys = []
    for item in items:
        if item.style in (KEYWORD, NUMBER) and item.label:
            base = f"R{item.label}"
        else:
            position = item.label.split()[-1] if item.label else "1"
            base = f"L{item.section}.{position}"
        keys.append(_unique(base, used, set()))
    return keys


def _unique(base: str, used: set[str], also: set[str]) -> str:
    key = base
    suffix = 2
    while key in used or key in also:
        key = f"{base}-{suffix}"
        suffix += 1
    used.add(key)
    return key


def _from_item(document: DocumentRecord, item: ListItem, key: str) -> ExtractedRecommendation:
    text = item.text
    return ExtractedRecommendation(
        key=key,
        text=text,
        page=item.page,
        page_end=item.page_end,
        number=item.label,
        rec_number=item.number if item.style in (KEYWORD, NUMBER) else None,
        made_by=made_by_of(document),
        addressee=addressee_of(text),
    )


def _verified(record: ExtractedRecommendation, pages: list[str], document: DocumentRecord) -> bool:
    if quote_on_pages(record.text, pages, record.page, record.page_end):
        return True
    log.warning(
        "%s: dropped a recommendation not found verbatim on page %s: %.60s", document.doc_id, record.page, record.text
    )
    return False
