"""The OpenSearch query bodies: filters with the embedded store's meaning, BM25 words, k-NN scores."""

from __future__ import annotations

import datetime as dt

import pytest

from search.models import SearchFilters
from search.store.opensearch.queries import (
    cosine_from_score,
    document_generation_query,
    filter_clauses,
    keyword_query,
    vector_query,
)


def test_no_filters_no_clauses():
    assert filter_clauses(SearchFilters()) == []


def test_each_filter_becomes_one_clause():
    filters = SearchFilters(
        doc_types=("review", "guidance", "review"),
        publishers=("",),
        areas=("Marshfield",),
        access=("public",),
        doc_ids=("b", "a"),
        date_from=dt.date(2020, 1, 1),
        date_to=dt.date(2021, 12, 31),
    )
    assert filter_clauses(filters) == [
        {"terms": {"doc_type": ["guidance", "review"]}},
        {"terms": {"publisher": [""]}},
        {"terms": {"area": ["Marshfield"]}},
        {"terms": {"access": ["public"]}},
        {"terms": {"doc_id": ["a", "b"]}},
        {"range": {"published": {"format": "yyyy-MM-dd", "gte": "2020-01-01", "lte": "2021-12-31"}}},
    ]


def test_one_sided_date_range():
    assert filter_clauses(SearchFilters(date_to=dt.date(2019, 5, 1))) == [
        {"range": {"published": {"format": "yyyy-MM-dd", "lte": "2019-05-01"}}}
    ]


def test_keyword_query_drops_question_words_as_the_embedded_store_does():
    body = keyword_query("What must the DSL do about refresher training?", SearchFilters(doc_types=("guidance",)))
    match = body["query"]["bool"]["must"][0]["multi_match"]
    assert match["query"] == "dsl refresher training"
    assert match["fields"] == ["content", "context^0.3"]
    assert body["query"]["bool"]["filter"] == [{"terms": {"doc_type": ["guidance"]}}]
    assert keyword_query("?!", SearchFilters()) is None


def test_vector_query_filters_inside_the_graph_search():
    body = vector_query([0.5, 0.25], 7, SearchFilters(access=("public",)))
    knn = body["query"]["knn"]["embedding"]
    assert knn == {"vector": [0.5, 0.25], "k": 7, "filter": {"bool": {"filter": [{"terms": {"access": ["public"]}}]}}}
    assert "filter" not in vector_query([1.0], 3, SearchFilters())["query"]["knn"]["embedding"]


@pytest.mark.parametrize(("score", "cosine"), [(1.0, 1.0), (0.5, 0.0), (0.0, -1.0), (0.9, 0.8)])
def test_cosine_from_knn_score(score, cosine):
    assert cosine_from_score(score) == pytest.approx(cosine)


def test_generation_sweep_keeps_the_live_generation():
    assert document_generation_query("doc", keep="g2") == {
        "query": {"bool": {"filter": [{"term": {"doc_id": "doc"}}], "must_not": [{"term": {"generation": "g2"}}]}}
    }
    assert "must_not" not in document_generation_query("doc", keep=None)["query"]["bool"]
