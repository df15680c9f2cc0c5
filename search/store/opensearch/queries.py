"""The OpenSearch queries of the backend: filters, BM25 and k-NN, with the embedded store's semantics.

Filters mean exactly what :meth:`search.models.SearchFilters.admits` says: each field matches
any of its values, fields combine with AND, dates are inclusive and an undated document fails
any date bound. A missing publisher or area is stored as ``""`` so that ``""`` matches it, as
``admits`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search.models import SearchFilters
from search.store.keyword_index import query_terms

CONTEXT_BOOST = 0.3
"""Weight of the title-and-section field against the passage text (as on the embedded store)."""


def filter_clauses(filters: SearchFilters) -> list[dict[str, Any]]:
    """Bool-filter clauses for ``filters`` (empty when they restrict nothing)."""
    clauses: list[dict[str, Any]] = []
    for field, values in (
        ("doc_type", filters.doc_types),
        ("publisher", filters.publishers),
        ("area", filters.areas),
        ("access", filters.access),
        ("doc_id", filters.doc_ids),
    ):
        if values:
            clauses.append({"terms": {field: sorted(set(values))}})
    if filters.date_from or filters.date_to:
        bounds: dict[str, str] = {"format": "yyyy-MM-dd"}
        if filters.date_from:
            bounds["gte"] = filters.date_from.isoformat()
        if filters.date_to:
            bounds["lte"] = filters.date_to.isoformat()
        clauses.append({"range": {"published": bounds}})
    return clauses


def keyword_query(query: str, filters: SearchFilters) -> dict[str, Any] | None:
    """A BM25 query body over passage text and (less) title and section; None when no word is left.

    The words are chosen as on the embedded store (:func:`search.store.keyword_index.query_terms`:
    question words and glue dropped), then the English analyser stems them.
    """
    terms = query_terms(query)
    if not terms:
        return None
    match = {
        "multi_match": {
            "query": " ".join(terms),
            "fields": ["content", f"context^{CONTEXT_BOOST}"],
            "type": "most_fields",
            "operator": "or",
        }
    }
    return {"query": {"bool": {"must": [match], "filter": filter_clauses(filters)}}}


def vector_query(embedding: Sequence[float], k: int, filters: SearchFilters) -> dict[str, Any]:
    """A k-NN query body; filters run inside the graph search (exact search when few passages pass)."""
    knn: dict[str, Any] = {"vector": [float(value) for value in embedding], "k": k}
    clauses = filter_clauses(filters)
    if clauses:
        knn["filter"] = {"bool": {"filter": clauses}}
    return {"query": {"knn": {"embedding": knn}}}


def cosine_from_score(score: float) -> float:
    """The cosine similarity behind a k-NN score: OpenSearch reports (1 + cosine) / 2 for cosinesimil."""
    return 2.0 * score - 1.0


def document_generation_query(doc_id: str, *, keep: str | None) -> dict[str, Any]:
    """Every stored passage or page of ``doc_id``, except those of generation ``keep``."""
    query: dict[str, Any] = {"bool": {"filter": [{"term": {"doc_id": doc_id}}]}}
    if keep is not None:
        query["bool"]["must_not"] = [{"term": {"generation": keep}}]
    return {"query": query}
