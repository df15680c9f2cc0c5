"""What is particular to the OpenSearch backend, against a live cluster (marker ``opensearch``).

The interrupted write (a reader keeps seeing the old version), a passage the cluster rejects (the
document is reported, the job goes on, the old version stays), and the index layout as created.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from search.errors import RejectedChunksError
from search.models import SearchFilters
from search.store.opensearch import OpenSearchStore
from tests.search.store.backends import SAMPLE, drop, embedded_chunks, fill, open_backend, opensearch_settings

pytestmark = pytest.mark.opensearch

GUIDANCE = SAMPLE[0]


@pytest.fixture()
def cluster_store(tmp_path, sample_chunks) -> Iterator[OpenSearchStore]:
    settings = opensearch_settings(tmp_path, "live")
    store = open_backend(settings, writable=True)
    assert isinstance(store, OpenSearchStore)
    try:
        fill(store, sample_chunks)
        yield store
    finally:
        store.close()
        drop(settings)


def test_the_index_is_created_with_the_template_and_mappings(cluster_store):
    client, names = cluster_store.client, cluster_store.names
    mapping = client.indices.get_mapping(index=names.chunks)[names.chunks]["mappings"]
    assert mapping["_meta"]["model"] == "all-MiniLM-L6-v2" and mapping["_meta"]["dimension"] == 384
    assert mapping["properties"]["embedding"]["method"]["space_type"] == "cosinesimil"
    analysed = client.indices.analyze(index=names.chunks, body={"field": "content", "text": "Fostering referrals"})
    tokens = [token["token"] for token in analysed["tokens"]]
    assert tokens[0] == "foster" and tokens[1].startswith("referr")  # the English analyser stems
    assert client.indices.exists_index_template(name=f"{names.chunks}-passages")


def test_a_write_killed_before_the_switch_leaves_the_old_version_visible(cluster_store, embedder):
    store = cluster_store
    passages = [(1, None, "Half-written version about kestrels.")]
    chunks = embedded_chunks(GUIDANCE, embedder, passages=passages)
    # The first step of an upsert only: new generation written, the record never switched (a killed job).
    assert store._write_generation(GUIDANCE.record, chunks, ["page"], "killedjob") == []
    store.flush()
    assert store.keyword_search("kestrels", 10, SearchFilters()) == []
    assert {c.text for c in store.chunks_of(GUIDANCE.record.doc_id)} == {t for _, _, t in GUIDANCE.passages}
    problems = store.integrity_problems()
    assert any("1 passages of replaced or unfinished writes remain" in problem for problem in problems)
    assert store.purge_stale() == 2  # the passage and the page
    assert store.integrity_problems() == []


def test_a_rejected_passage_fails_that_document_only_and_keeps_its_old_version(cluster_store, embedder):
    store = cluster_store
    chunks = embedded_chunks(GUIDANCE, embedder, passages=[(1, None, "Good passage."), (1, None, "Bad passage.")])
    broken = [chunks[0], chunks[1].__class__(**{**chunks[1].__dict__, "embedding": [math.nan] * 384})]
    with pytest.raises(RejectedChunksError) as caught:
        store.upsert_document(GUIDANCE.record, broken, ["page"])
    assert caught.value.source == GUIDANCE.record.source
    assert "rejected 1 of 3" in caught.value.reason and "#1@" in caught.value.reason
    store.flush()
    assert store.get_document(GUIDANCE.record.doc_id).chunks == 2
    assert store.keyword_search("refresher", 5, SearchFilters())[0][0].doc_id == GUIDANCE.record.doc_id
    assert store.integrity_problems() == []
