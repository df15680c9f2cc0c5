"""The OpenSearch index layout: mappings, template, and the refusal of another model's index."""

from __future__ import annotations

from search.store.opensearch.mappings import (
    FORMAT_VERSION,
    IndexNames,
    chunk_mappings,
    index_bodies,
    mismatch,
    template_body,
)

NAMES = IndexNames("lessons")


def test_four_indexes_per_lessons_index():
    assert NAMES.all() == ("lessons", "lessons-documents", "lessons-pages", "lessons-reports")


def test_passage_mapping_english_text_hnsw_cosine_vectors_keywords_and_dates():
    mapping = chunk_mappings("all-MiniLM-L6-v2", 384)
    properties = mapping["properties"]
    assert mapping["dynamic"] == "strict"
    assert mapping["_meta"] == {"lessons_format": FORMAT_VERSION, "model": "all-MiniLM-L6-v2", "dimension": 384}
    assert properties["content"] == {"type": "text", "analyzer": "english"}
    vector = properties["embedding"]
    assert (vector["type"], vector["dimension"]) == ("knn_vector", 384)
    assert (vector["method"]["name"], vector["method"]["space_type"]) == ("hnsw", "cosinesimil")
    assert vector["method"]["parameters"]["m"] == 16
    for field in ("doc_id", "generation", "doc_type", "publisher", "area", "access"):
        assert properties[field] == {"type": "keyword"}, field
    assert properties["published"]["type"] == "date"


def test_shards_and_replicas_apply_to_the_passage_index():
    bodies = index_bodies(NAMES, model="m", dimension=8, shards=6, replicas=2)
    assert bodies["lessons"]["settings"] == {"index": {"number_of_shards": 6, "number_of_replicas": 2, "knn": True}}
    assert bodies["lessons-pages"]["settings"] == {"index": {"number_of_shards": 1, "number_of_replicas": 2}}
    assert set(bodies) == set(NAMES.all())


def test_template_guards_only_the_passage_index():
    body = template_body(NAMES, model="m", dimension=8, shards=1, replicas=0)
    assert body["index_patterns"] == ["lessons"]
    assert body["template"]["mappings"]["properties"]["embedding"]["dimension"] == 8


def test_mismatch_names_the_model_and_dimension():
    mapping = chunk_mappings("all-MiniLM-L6-v2", 384)
    assert mismatch(mapping, model="all-MiniLM-L6-v2", dimension=384) is None
    assert mismatch(mapping, model="bge-base", dimension=768) == (
        "it was built with model all-MiniLM-L6-v2 (384-d vectors), not bge-base (768-d)"
    )
    assert "not a Lessons index" in mismatch({"properties": {}}, model="m", dimension=8)
    older = {**mapping, "_meta": {**mapping["_meta"], "lessons_format": 0}}
    assert "layout version 0" in mismatch(older, model="all-MiniLM-L6-v2", dimension=384)
