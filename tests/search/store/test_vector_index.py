"""The vector index: the IVF index against exact search, filters, tombstones, appends, saves and crashes.

Vectors are realistic, never random: mixtures grown from the real embeddings of the sample corpus
(the store every test session builds once) and the latency benchmark's embedding map. The index is
forced into IVF mode at these small sizes by a low ``ann_min_rows``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from ingest.benchmark.ann import SeededVectors
from ingest.benchmark.synthetic import EmbeddingMap
from search.errors import SettingsError
from search.models import ChunkRecord, DocumentRecord, SearchFilters
from search.settings import Settings, load_settings
from search.store import vector_index
from search.store.embedded import EmbeddedStore
from search.store.factory import open_store
from search.store.vector_index import VectorIndex

DIM = 384
DOCUMENTS = 200
ROWS = 100  # per document
FORCED = 1000  # ann_min_rows low enough for these sizes


def _doc(number: int) -> str:
    return f"doc{number:04d}"


def _keys(number: int) -> np.ndarray:
    return np.arange(number * ROWS, (number + 1) * ROWS, dtype=np.int64)


def _fill(index: VectorIndex, documents: list[np.ndarray], first: int = 0) -> None:
    for offset, matrix in enumerate(documents):
        index.add(_doc(first + offset), _keys(first + offset), matrix)


def _exact(folder: Path) -> VectorIndex:
    index = VectorIndex(folder, DIM, ann_min_rows=1 << 62)
    assert index.load()
    return index


def _top_keys(index: VectorIndex, query: np.ndarray, allowed: set[str] | None = None, top_k: int = 10) -> list[int]:
    return [key for key, _ in index.search(query, top_k, allowed)]


def _recall(ann: VectorIndex, exact: VectorIndex, queries: np.ndarray, allowed: set[str] | None = None) -> float:
    hits = [len(set(_top_keys(ann, q, allowed)) & set(_top_keys(exact, q, allowed))) / 10 for q in queries]
    return float(np.mean(hits))


@pytest.fixture(scope="module")
def grower(sample_settings: Settings) -> SeededVectors:
    """Mixtures grown from the real embeddings of the sample corpus."""
    real = VectorIndex(sample_settings.data_dir / "vectors", DIM)
    assert real.load() and len(real) > 100
    return SeededVectors(real.embeddings())


@pytest.fixture(scope="module")
def documents(grower: SeededVectors) -> list[np.ndarray]:
    return [grower.document(number, seed=1) for number in range(DOCUMENTS)]


@pytest.fixture(scope="module")
def queries(grower: SeededVectors) -> np.ndarray:
    """Vectors of documents that are not in the index."""
    return np.concatenate([grower.document(number, seed=2, count=10) for number in range(10)])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, documents: list[np.ndarray]) -> Path:
    """A saved IVF index of 20,000 realistic rows (read-only for the tests that use it)."""
    folder = tmp_path_factory.mktemp("ivf")
    index = VectorIndex(folder, DIM, ann_min_rows=FORCED)
    _fill(index, documents)
    index.save(5)
    return folder


@pytest.fixture()
def ann(built: Path) -> VectorIndex:
    index = VectorIndex(built, DIM, ann_min_rows=FORCED)
    assert index.load() and index.uses_ann and index.applied_seq == 5
    return index


@pytest.fixture()
def private(built: Path, tmp_path: Path) -> Path:
    """A copy of the built index a test may change."""
    shutil.copytree(built, tmp_path / "copy")
    return tmp_path / "copy"


def test_ann_recall_against_exact_search_is_at_least_098(ann, built, queries):
    assert 200 <= ann.lists <= 300  # about 2 * sqrt(20,000): most rows are never read
    assert _recall(ann, _exact(built), queries) >= 0.98


def test_ann_is_off_below_its_threshold(built, queries):
    index = VectorIndex(built, DIM, ann_min_rows=50_000)
    assert index.load() and not index.uses_ann
    assert _top_keys(index, queries[0]) == _top_keys(_exact(built), queries[0])


def test_a_tiny_filter_gets_exactly_the_exact_result(ann, built, queries, documents):
    allowed = {_doc(7), _doc(123)}
    exact = _exact(built)
    for query in queries[:20]:
        found = ann.search(query, 10, allowed)
        assert [key for key, _ in found] == _top_keys(exact, query, allowed)
        assert {key // ROWS for key, _ in found} <= {7, 123}
    # Even a query far from both documents gets their best rows, not nothing.
    far = -documents[7][0]
    assert len(ann.search(far, 10, allowed)) == 10


def test_a_wide_filter_returns_only_allowed_rows_and_keeps_recall(ann, built, queries):
    allowed_numbers = set(range(0, DOCUMENTS, 2))
    allowed = {_doc(n) for n in allowed_numbers}
    for query in queries:
        assert {key // ROWS for key in _top_keys(ann, query, allowed)} <= allowed_numbers
    assert _recall(ann, _exact(built), queries, allowed) >= 0.98


def test_a_filter_naming_no_known_document_finds_nothing(ann, queries):
    assert ann.search(queries[0], 10, {"unknown"}) == []
    assert ann.search(queries[0], 10, set()) == []


def test_removed_documents_never_come_back(ann, private, documents):
    query = documents[42][3]
    assert _top_keys(ann, query)[0] == 42 * ROWS + 3
    index = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert index.load()
    index.remove_document(_doc(42))
    assert all(key // ROWS != 42 for key in _top_keys(index, query, top_k=50))
    index.save(6)
    reloaded = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert reloaded.load() and reloaded.uses_ann and len(reloaded) == (DOCUMENTS - 1) * ROWS
    assert all(key // ROWS != 42 for key in _top_keys(reloaded, query, top_k=50))


def test_rows_added_after_training_are_found_and_kept_without_retraining(private, grower):
    index = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert index.load()
    lists = index.lists
    extra = grower.document(999, seed=3)
    index.add(_doc(999), _keys(999), extra)
    assert _top_keys(index, extra[5])[0] == 999 * ROWS + 5  # found before any save
    index.save(6)
    reloaded = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert reloaded.load() and reloaded.lists == lists
    state = json.loads((private / "state.json").read_text())
    assert state["ann"]["trained_rows"] == DOCUMENTS * ROWS  # assigned to the old centroids
    for row in range(0, ROWS, 10):
        assert _top_keys(reloaded, extra[row])[0] == 999 * ROWS + row


def test_the_index_is_trained_again_when_it_has_doubled(tmp_path, documents):
    index = VectorIndex(tmp_path, DIM, ann_min_rows=FORCED)
    _fill(index, documents[:40])
    index.save(1)
    assert json.loads((tmp_path / "state.json").read_text())["ann"]["trained_rows"] == 4000
    _fill(index, documents[40:100], first=40)
    index.save(2)
    assert json.loads((tmp_path / "state.json").read_text())["ann"]["trained_rows"] == 10_000


def test_shrinking_below_the_threshold_goes_back_to_exact_search(private, documents):
    index = VectorIndex(private, DIM, ann_min_rows=15_000)
    assert index.load() and index.uses_ann
    for number in range(60):
        index.remove_document(_doc(number))
    index.save(6)
    assert index.lists == 0 and not index.uses_ann
    reloaded = VectorIndex(private, DIM, ann_min_rows=15_000)
    assert reloaded.load() and reloaded.lists == 0
    query = documents[150][0]
    assert _top_keys(reloaded, query)[0] == 150 * ROWS


def test_save_and_load_give_equal_results(tmp_path, documents, queries):
    index = VectorIndex(tmp_path, DIM, ann_min_rows=FORCED)
    _fill(index, documents[:60])
    index.save(3)
    before = [index.search(q, 10) for q in queries]
    reloaded = VectorIndex(tmp_path, DIM, ann_min_rows=FORCED)
    assert reloaded.load() and reloaded.applied_seq == 3
    assert [reloaded.search(q, 10) for q in queries] == before


def test_training_is_deterministic(tmp_path, documents):
    centroids = []
    for name in ("one", "two"):
        index = VectorIndex(tmp_path / name, DIM, ann_min_rows=FORCED)
        _fill(index, documents[:50])
        index.save(1)
        generation = json.loads((tmp_path / name / "state.json").read_text())["generation"]
        centroids.append(np.load(tmp_path / name / generation / "centroids.npy"))
    assert np.array_equal(centroids[0], centroids[1])


def test_a_save_without_changes_only_moves_the_sequence_on(private):
    index = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert index.load()
    generation = json.loads((private / "state.json").read_text())["generation"]
    index.save(9)
    state = json.loads((private / "state.json").read_text())
    assert state["generation"] == generation and state["applied_seq"] == 9 and state["ann"]
    reloaded = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert reloaded.load() and reloaded.applied_seq == 9 and reloaded.uses_ann


def test_a_crash_before_the_state_file_leaves_the_old_index(private, grower, queries, monkeypatch):
    index = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert index.load()
    before = [index.search(q, 10) for q in queries[:10]]
    index.remove_document(_doc(3))
    index.add(_doc(999), _keys(999), grower.document(999, seed=3))

    def killed(*_: object) -> None:
        raise KeyboardInterrupt("killed between the arrays and the state file")

    monkeypatch.setattr(vector_index, "write_applied", killed)
    with pytest.raises(KeyboardInterrupt):
        index.save(6)
    monkeypatch.undo()
    generations = [path for path in private.iterdir() if path.is_dir()]
    assert len(generations) == 2  # the new arrays were written, but nothing names them
    reloaded = VectorIndex(private, DIM, ann_min_rows=FORCED)
    assert reloaded.load() and reloaded.applied_seq == 5
    assert [reloaded.search(q, 10) for q in queries[:10]] == before
    reloaded.save(7)  # the next save clears the orphan away
    assert len([path for path in private.iterdir() if path.is_dir()]) == 1


def test_a_truncated_or_missing_array_makes_load_refuse(private):
    generation = private / json.loads((private / "state.json").read_text())["generation"]
    vectors = generation / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[: vectors.stat().st_size // 2])
    assert not VectorIndex(private, DIM, ann_min_rows=FORCED).load()
    (generation / "offsets.npy").unlink()
    assert not VectorIndex(private, DIM, ann_min_rows=FORCED).load()


def test_offsets_that_disagree_with_the_rows_make_load_refuse(private):
    generation = private / json.loads((private / "state.json").read_text())["generation"]
    offsets = np.load(generation / "offsets.npy")
    offsets[-1] -= 1
    np.save(generation / "offsets.npy", offsets)
    assert not VectorIndex(private, DIM, ann_min_rows=FORCED).load()


def test_a_state_file_naming_another_folder_is_refused(private):
    state = json.loads((private / "state.json").read_text())
    (private / "state.json").write_text(json.dumps({**state, "generation": "../elsewhere"}))
    assert not VectorIndex(private, DIM, ann_min_rows=FORCED).load()


def test_an_index_saved_before_generations_still_loads(tmp_path):
    embedding_map = EmbeddingMap(7)
    matrix = embedding_map.document_vectors(np.random.default_rng(1), 50)
    np.save(tmp_path / "keys.npy", np.arange(50, dtype=np.int64))
    np.save(tmp_path / "vectors.npy", matrix)
    np.save(tmp_path / "codes.npy", np.zeros(50, dtype=np.int32))
    (tmp_path / "documents.json").write_text(json.dumps(["old"]))
    (tmp_path / "state.json").write_text(json.dumps({"applied_seq": 4, "dimension": DIM}))
    index = VectorIndex(tmp_path, DIM)
    assert index.load() and index.applied_seq == 4
    assert _top_keys(index, matrix[17])[0] == 17
    index.save(5)
    assert not (tmp_path / "vectors.npy").exists()
    reloaded = VectorIndex(tmp_path, DIM)
    assert reloaded.load() and _top_keys(reloaded, matrix[17])[0] == 17


def test_defaults_come_from_the_settings():
    index = VectorIndex(Path("unused"), DIM)
    assert (index.ann_min_rows, index.ann_probes) == (Settings.ann_min_rows, Settings.ann_probes)


def _synthetic_store(folder: Path, *, ann_min_rows: int, writable: bool = True) -> EmbeddedStore:
    return EmbeddedStore(folder, model="test-model", dimension=DIM, writable=writable, ann_min_rows=ann_min_rows)


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store of 30 documents x 50 chunks, one in three restricted, with an IVF index."""
    folder = tmp_path_factory.mktemp("store")
    store = _synthetic_store(folder, ann_min_rows=FORCED)
    embedding_map = EmbeddingMap(11)
    for number in range(30):
        vectors = embedding_map.document_vectors(np.random.default_rng([11, number]), 50)
        record = DocumentRecord(
            doc_id=_doc(number),
            title=f"Document {number}",
            doc_type="review",
            source=f"/docs/{number}.pdf",
            content_hash=str(number),
            access="restricted" if number % 3 == 0 else "public",
        )
        chunks = [
            ChunkRecord(doc_id=record.doc_id, ordinal=i, text=f"passage {i} of {number}", char_end=20, embedding=vector)  # type: ignore[arg-type]
            for i, vector in enumerate(vectors)
        ]
        store.upsert_document(record, chunks, [])
    store.flush()
    assert store.vectors.uses_ann
    store.close()
    return folder


def test_the_store_searches_through_the_ivf_index_and_honours_access(store_folder):
    reader = _synthetic_store(store_folder, ann_min_rows=FORCED, writable=False)
    exact = _synthetic_store(store_folder, ann_min_rows=1 << 62, writable=False)
    assert reader.vectors.uses_ann and not exact.vectors.uses_ann
    public = SearchFilters(access=("public",))
    queries = EmbeddingMap(11).query_vectors(np.random.default_rng(5), 20)
    for query in queries:
        found = reader.vector_search(query.tolist(), 10, public)
        assert found and all(chunk.doc_id in {_doc(n) for n in range(30) if n % 3} for chunk, _ in found)
    hits = [
        len(
            {c.chunk_id for c, _ in reader.vector_search(q.tolist(), 10, public)}
            & {c.chunk_id for c, _ in exact.vector_search(q.tolist(), 10, public)}
        )
        for q in queries
    ]
    assert sum(hits) / (10 * len(queries)) >= 0.98
    reader.close()
    exact.close()


def test_the_settings_reach_the_index_and_are_checked(tmp_path):
    settings = load_settings({"data_dir": tmp_path, "ann_min_rows": 2000, "ann_probes": 12}, environ={})
    store = open_store(settings, writable=False, dimension=DIM)
    assert (store.vectors.ann_min_rows, store.vectors.ann_probes) == (2000, 12)  # type: ignore[attr-defined]
    store.close()
    with pytest.raises(SettingsError, match="ann_min_rows = 10 .*1000 or more"):
        load_settings({"ann_min_rows": 10}, environ={})
    with pytest.raises(SettingsError, match="ann_probes"):
        load_settings({}, environ={"LESSONS_ANN_PROBES": "0"})
