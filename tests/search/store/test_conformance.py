"""The conformance suite: every store backend must pass it (embedded always; OpenSearch with a live cluster).

Small hand-made documents with real embeddings from the real model: writes read back, upserts,
deletes, BM25, vector and hybrid search, each filter, counts, atomic replacement, refusals, and
the same answer to the same question.
"""

from __future__ import annotations

import datetime as dt

import pytest

from search.errors import StoreError
from search.models import SearchFilters
from search.service import SearchService
from tests.search.store.backends import EVERY_PASSAGE_QUERY, SAMPLE, embedded_chunks, open_backend

A, B, C, D, E = (document.record.doc_id for document in SAMPLE)
SAMPLE_BY_ID = {document.record.doc_id: document for document in SAMPLE}


def _ids(found):
    return [chunk.chunk_id for chunk, _ in found]


# -- writes read back ---------------------------------------------------------------------
def test_documents_read_back_as_written(filled):
    store = filled.store
    assert [doc.doc_id for doc in store.list_documents()] == [
        "missing-children-procedure",
        "committee-minutes",
        "dsl-training-guidance",
        "mash-review-2020",
        "peer-abuse-statement",
    ]  # by title: Children..., Corporate..., Designated..., Review..., Statement...
    for document in SAMPLE:
        stored = store.get_document(document.record.doc_id)
        expected = {**document.record.as_dict(), "chunks": len(document.passages)}
        assert stored is not None and stored.as_dict() == expected
    assert store.get_document("no-such-document") is None
    assert store.document_for_source(f"/documents/{C}.pdf").doc_id == C
    assert store.document_for_source("/documents/elsewhere.pdf") is None
    assert set(store.documents_by_id()) == {A, B, C, D, E}


def test_pages_and_chunks_read_back(filled):
    store = filled.store
    assert store.page_text(A, 1) == "Training for the designated safeguarding lead."
    assert store.page_text(A, 2) == "Training for all staff."
    assert store.page_text(A, 3) is None and store.page_text("no-such-document", 1) is None
    chunks = store.chunks_of(B)
    assert [(c.chunk_id, c.page, c.section) for c in chunks] == [
        (f"{B}#0", 1, "Findings"),
        (f"{B}#1", 2, "Recommendations"),
    ]
    assert chunks[1].text.startswith("Recommendation 3: the partnership should audit")
    assert chunks[1].char_end == len(chunks[1].text) and chunks[1].embedding is None
    assert [c.page for c in store.chunks_of(D)] == [None]


def test_counts(filled):
    stats = filled.store.stats()
    assert (stats.documents, stats.chunks) == (5, 7)
    assert stats.by_type == {"guidance": 1, "minutes": 1, "procedure": 1, "review": 1, "statement": 1}
    assert stats.backend == filled.name and stats.model == "all-MiniLM-L6-v2"
    assert stats.size_bytes > 0
    assert filled.store.integrity_problems() == []


# -- retrieval ----------------------------------------------------------------------------
def test_keyword_search_ranks_the_matching_passage_first(filled):
    store = filled.store
    found = store.keyword_search("refresher training for the designated safeguarding lead", 5, SearchFilters())
    assert _ids(found)[0] == f"{A}#0"
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert _ids(store.keyword_search("audit of MASH decision recording", 3, SearchFilters()))[0] == f"{B}#1"
    # Stemming: "fostered" finds "fostering".
    assert _ids(store.keyword_search("fostered", 3, SearchFilters())) == [f"{D}#0"]
    assert store.keyword_search("", 5, SearchFilters()) == []
    assert store.keyword_search("xylophone", 5, SearchFilters()) == []


def test_vector_search_finds_the_nearest_passage(filled, embedder):
    store = filled.store
    question = embedder.embed_query("How quickly must the social worker be told that a child is missing?")
    found = store.vector_search(question, 3, SearchFilters())
    assert _ids(found)[0] == f"{C}#0" and len(found) == 3
    assert -1.0 <= found[-1][1] <= found[0][1] <= 1.0
    stored = embedded_chunks(SAMPLE_BY_ID[E], embedder)[0].embedding
    nearest, similarity = store.vector_search(stored, 1, SearchFilters())[0]
    assert nearest.chunk_id == f"{E}#0" and similarity == pytest.approx(1.0, abs=1e-3)


FILTER_CASES = [
    (SearchFilters(doc_types=("guidance",)), {A}),
    (SearchFilters(doc_types=("review", "procedure")), {B, C}),
    (SearchFilters(publishers=("Marshfield County Council",)), {C}),
    (SearchFilters(publishers=("",)), {D}),  # a document without a publisher matches ""
    (SearchFilters(areas=("Marshfield",)), {B, C}),
    (SearchFilters(access=("public",)), {A, B, E}),
    (SearchFilters(access=("public", "internal")), {A, B, C, E}),
    (SearchFilters(doc_ids=(B,)), {B}),
    (SearchFilters(doc_ids=("no-such-document",)), set()),
    (SearchFilters(date_from=dt.date(2021, 1, 1)), {A, C}),  # undated documents fail any date bound
    (SearchFilters(date_to=dt.date(2020, 6, 15)), {B, E}),  # bounds are inclusive
    (SearchFilters(date_from=dt.date(2020, 6, 15), date_to=dt.date(2022, 3, 1)), {B, C}),
    (SearchFilters(doc_types=("review", "statement"), date_from=dt.date(2020, 1, 1)), {B}),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES, ids=[str(i) for i in range(len(FILTER_CASES))])
def test_each_filter_applies_inside_both_retrievers(filled, embedder, filters, expected):
    store = filled.store
    assert {doc.doc_id for doc in store.list_documents() if filters.admits(doc)} == expected
    vector = embedder.embed_query("safeguarding children")
    assert {chunk.doc_id for chunk, _ in store.vector_search(vector, 50, filters)} == expected
    assert {chunk.doc_id for chunk, _ in store.keyword_search(EVERY_PASSAGE_QUERY, 50, filters)} == expected


def test_hybrid_keyword_and_semantic_search_through_the_service(filled, embedder):
    service = SearchService(filled.settings, embedder=embedder)
    try:
        for mode in ("hybrid", "keyword", "semantic"):
            hits = service.search("how often does the DSL need refresher training", mode=mode, top_k=3).hits
            assert (hits[0].doc_id, hits[0].page, hits[0].section) == (A, 1, "Training > DSL"), mode
        reviews = service.search("recording of decisions", filters=SearchFilters(doc_types=("review",))).hits
        assert reviews and {hit.doc_id for hit in reviews} == {B}
        assert service.stats().documents == 5
    finally:
        service.close()


def test_the_same_question_gets_the_same_answer(filled, embedder):
    service = SearchService(filled.settings, embedder=embedder)
    try:
        answer = service.ask("How often must the designated safeguarding lead undertake refresher training?")
    finally:
        service.close()
    assert not answer.abstained
    first = answer.citations[0]
    assert (first.doc_id, first.page) == (A, 1)
    assert "every two years" in answer.answer


# -- changes ------------------------------------------------------------------------------
def test_upsert_replaces_the_whole_document(fresh, embedder):
    store = fresh.store
    new_version = [(1, "Training", "Zebra crossing patrols are no part of the designated lead's duties.")]
    chunks = embedded_chunks(SAMPLE_BY_ID[A], embedder, passages=new_version)
    store.upsert_document(SAMPLE_BY_ID[A].record, chunks, ["The only page."])
    store.flush()
    assert store.keyword_search("refresher", 10, SearchFilters()) == []
    assert _ids(store.keyword_search("zebra patrols", 10, SearchFilters())) == [f"{A}#0"]
    assert [c.text for c in store.chunks_of(A)] == [new_version[0][2]]
    assert store.get_document(A).chunks == 1
    assert (store.page_text(A, 1), store.page_text(A, 2)) == ("The only page.", None)
    assert (store.stats().documents, store.stats().chunks) == (5, 6)
    assert store.integrity_problems() == []


def test_delete_removes_a_document_everywhere(fresh, embedder):
    store = fresh.store
    assert store.delete_document(B) is True
    assert store.delete_document(B) is False
    store.flush()
    assert store.get_document(B) is None and store.page_text(B, 1) is None and store.chunks_of(B) == []
    assert B not in {c.doc_id for c, _ in store.keyword_search(EVERY_PASSAGE_QUERY, 50, SearchFilters())}
    assert B not in {c.doc_id for c, _ in store.vector_search(embedder.embed_query("MASH"), 50, SearchFilters())}
    assert B not in store.documents_by_id()
    assert (store.stats().documents, store.stats().chunks) == (4, 5)
    assert store.integrity_problems() == []


def test_a_new_id_for_the_same_source_displaces_the_old_document(fresh, sample_chunks):
    store = fresh.store
    moved = SAMPLE_BY_ID[C]
    record = moved.record.__class__(**{**moved.record.as_dict(), "doc_id": "missing-children-procedure-v2"})
    chunks = [chunk.__class__(**{**chunk.__dict__, "doc_id": record.doc_id}) for chunk in sample_chunks[C]]
    store.upsert_document(record, chunks, moved.pages)
    store.flush()
    assert store.get_document(C) is None
    assert store.document_for_source(moved.record.source).doc_id == "missing-children-procedure-v2"
    assert store.stats().documents == 5 and store.integrity_problems() == []


def test_a_reader_sees_the_old_version_or_the_new_never_a_mixture(fresh, embedder):
    writer = fresh.store
    reader = open_backend(fresh.settings, writable=False)
    try:
        old = {chunk.text for chunk in writer.chunks_of(A)}
        passages = [(1, None, f"Version two, passage {n}: supervision of the designated lead.") for n in range(4)]
        new = {text for _, _, text in passages}
        writer.upsert_document(
            SAMPLE_BY_ID[A].record, embedded_chunks(SAMPLE_BY_ID[A], embedder, passages=passages), ["One page."]
        )
        only_a = SearchFilters(doc_ids=(A,))
        vector = embedder.embed_query("designated safeguarding lead")
        before_flush = {chunk.text for chunk, _ in reader.vector_search(vector, 50, only_a)}
        assert before_flush <= old or before_flush <= new
        writer.flush()
        assert {chunk.text for chunk, _ in reader.vector_search(vector, 50, only_a)} == new
        assert {chunk.text for chunk, _ in reader.keyword_search("supervision passage", 50, only_a)} == new
    finally:
        reader.close()


# -- refusals -----------------------------------------------------------------------------
def test_readers_refuse_writes(filled):
    reader = open_backend(filled.settings, writable=False)
    try:
        with pytest.raises(StoreError, match="opened for reading"):
            reader.delete_document(A)
    finally:
        reader.close()


def test_a_store_built_with_another_model_is_refused(filled):
    with pytest.raises(
        StoreError,
        match=r"built with model all-MiniLM-L6-v2 \(384-d vectors\), not other-model "
        r"\(768-d\).*LESSONS_MODEL=all-MiniLM-L6-v2",
    ):
        open_backend(filled.settings, writable=False, model="other-model", dimension=768)


def test_vectors_of_the_wrong_length_are_refused(fresh):
    bad = [SAMPLE_BY_ID[E].record.__class__(**SAMPLE_BY_ID[E].record.as_dict())]
    from search.models import ChunkRecord

    with pytest.raises(StoreError, match="has no 384-d embedding"):
        fresh.store.upsert_document(bad[0], [ChunkRecord(doc_id=E, ordinal=0, text="x", embedding=[0.1] * 10)], [])
    assert fresh.store.get_document(E).chunks == 1
