"""Plumbing of the embedded store with synthetic vectors: writes, filters, deletes, crash recovery, locks.

The behaviour every backend shares is in test_conformance.py; this file keeps what is particular to
the embedded store (its indexes, its lock, its recovery after a crash).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from search.errors import StoreError, StoreLockedError
from search.models import ChunkRecord, DocumentRecord, SearchFilters
from search.store.embedded import EmbeddedStore

DIM = 8


def _vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=DIM).astype(np.float32)


def _document(doc_id: str, doc_type: str = "review", published: str = "2020-01-01", access: str = "public"):
    return DocumentRecord(
        doc_id=doc_id,
        title=f"Title {doc_id}",
        doc_type=doc_type,
        source=f"/docs/{doc_id}.pdf",
        content_hash=f"hash-{doc_id}",
        published=published,
        access=access,
        pages=2,
    )


def _chunks(doc_id: str, texts: list[str], seed: int) -> list[ChunkRecord]:
    return [
        ChunkRecord(
            doc_id=doc_id,
            ordinal=i,
            text=t,
            page=i + 1,
            page_end=i + 1,
            char_start=0,
            char_end=len(t),
            embedding=_vector(seed + i),
        )
        for i, t in enumerate(texts)
    ]


def _open(tmp_path, writable=True):
    return EmbeddedStore(tmp_path, model="test-model", dimension=DIM, writable=writable)


@pytest.fixture()
def store(tmp_path):
    store = _open(tmp_path)
    store.upsert_document(
        _document("a"), _chunks("a", ["MASH referrals recorded late", "training for staff"], 1), ["p1", "p2"]
    )
    store.upsert_document(
        _document("b", "guidance", "2024-09-02"), _chunks("b", ["schools must record concerns"], 10), ["p1"]
    )
    store.upsert_document(_document("c", access="restricted"), _chunks("c", ["restricted MASH audit"], 20), ["p1"])
    store.flush()
    yield store
    store.close()


def test_keyword_and_vector_search_find_the_right_chunk(store):
    found = store.keyword_search("recording of referrals", 5, SearchFilters())
    assert [c.chunk_id for c, _ in found][0] == "a#0"
    nearest = store.vector_search(_vector(10), 1, SearchFilters())
    assert nearest[0][0].chunk_id == "b#0" and nearest[0][1] == pytest.approx(1.0, abs=1e-5)


def test_filters_apply_inside_both_retrievers(store):
    only_guidance = SearchFilters(doc_types=("guidance",))
    assert {c.doc_id for c, _ in store.keyword_search("record", 10, only_guidance)} == {"b"}
    assert {c.doc_id for c, _ in store.vector_search(_vector(1), 10, only_guidance)} == {"b"}
    public = SearchFilters(access=("public",))
    assert "c" not in {c.doc_id for c, _ in store.keyword_search("MASH", 10, public)}
    assert "c" not in {c.doc_id for c, _ in store.vector_search(_vector(20), 10, public)}
    dated = SearchFilters(date_from=dt.date(2021, 1, 1))
    assert {c.doc_id for c, _ in store.vector_search(_vector(1), 10, dated)} == {"b"}
    assert store.keyword_search("MASH", 10, SearchFilters(doc_ids=("zzz",))) == []


def test_upsert_replaces_and_delete_removes(store):
    store.upsert_document(_document("a"), _chunks("a", ["entirely new wording about zebras"], 30), ["p1"])
    store.flush()
    assert store.keyword_search("MASH referrals", 10, SearchFilters(doc_ids=("a",))) == []
    assert store.keyword_search("zebras", 10, SearchFilters())[0][0].chunk_id == "a#0"
    assert store.delete_document("b") is True
    store.flush()
    assert store.keyword_search("schools record", 10, SearchFilters(doc_types=("guidance",))) == []
    assert store.integrity_problems() == []


def test_reopened_store_answers_the_same(tmp_path, store):
    before = store.vector_search(_vector(1), 3, SearchFilters())
    store.close()
    reader = _open(tmp_path, writable=False)
    after = reader.vector_search(_vector(1), 3, SearchFilters())
    assert [(c.chunk_id, round(s, 5)) for c, s in before] == [(c.chunk_id, round(s, 5)) for c, s in after]
    reader.close()


def test_indexes_left_behind_by_a_crash_are_caught_up_on_open(tmp_path, store):
    # Written to the records but never flushed to the indexes, as when a job is killed.
    store.upsert_document(_document("d"), _chunks("d", ["unflushed passage about kestrels"], 40), ["p1"])
    store.keywords.close()  # uncommitted index changes are lost, as in a crash
    store.records.close()
    store._lock.release()
    reader = _open(tmp_path, writable=False)
    assert reader.keyword_search("kestrels", 5, SearchFilters())[0][0].chunk_id == "d#0"
    assert reader.integrity_problems() == []
    reader.close()


def test_one_writer_at_a_time(tmp_path, store):
    with pytest.raises(StoreLockedError, match="another ingest job"):
        _open(tmp_path)


def test_a_store_built_with_another_model_is_refused(tmp_path, store):
    store.close()
    with pytest.raises(StoreError, match="built with model test-model .* set LESSONS_MODEL=test-model"):
        EmbeddedStore(tmp_path, model="other", dimension=DIM)


def test_readers_refuse_writes(tmp_path, store):
    store.close()
    reader = _open(tmp_path, writable=False)
    with pytest.raises(StoreError, match="opened for reading"):
        reader.delete_document("a")
    reader.close()
