"""The approximate-index benchmark, run small on real embeddings (the sample corpus's, standing in for BEIR's)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.benchmark.ann import SeededVectors, measure_ann, real_embeddings
from ingest.benchmark.synthetic import EmbeddingMap, SyntheticCorpus
from search.errors import BenchmarkDataError
from search.settings import Settings
from search.store.vector_index import VectorIndex


@pytest.fixture(scope="module")
def real(sample_settings: Settings) -> np.ndarray:
    index = VectorIndex(sample_settings.data_dir / "vectors", 384)
    assert index.load()
    return index.embeddings()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, real: np.ndarray) -> Path:
    """A folder laid out like bench-results/beir-stores, holding the sample corpus's real vectors."""
    folder = tmp_path_factory.mktemp("beir-stores")
    index = VectorIndex(folder / "scifact-sample" / "vectors", 384)
    for number, rows in enumerate(np.array_split(real, 10)):
        index.add(f"d{number}", np.arange(len(rows), dtype=np.int64) + number * 1000, rows)
    index.save(1)
    return folder


def test_measure_ann_reports_latency_recall_build_and_size_at_each_size(stores, tmp_path, real):
    lines: list[str] = []
    asked = real[::7] + np.random.default_rng(3).normal(0, 0.02, size=real[::7].shape).astype(np.float32)
    figures = {
        f.name: f
        for f in measure_ann(
            stores, tmp_path, sizes=[3000, 6000], timed=5, map_size=3000, query_embeddings=asked, log=lines.append
        )
    }
    for size in ("3,000", "6,000"):
        for p in (50, 95):
            latency = figures[f"ANN vector search p{p} @{size}"]
            assert latency.ours and latency.baseline and latency.unit == "ms"
        assert figures[f"ANN recall@10 @{size}"].ours >= 0.98
        assert figures[f"ANN recall@10, filtered to a third of documents @{size}"].ours >= 0.98
        assert figures[f"ANN build @{size}"].ours > 0
        size_figure = figures[f"ANN index size @{size}"]
        assert 1.0 < size_figure.ratio < 1.1  # centroids and offsets cost little beside the vectors
    real_figure = figures[f"ANN recall@10, real BEIR passages ({len(real) - len(real) // 4:,})"]
    assert real_figure.ours >= 0.98
    assert figures[f"ANN recall@10, real BEIR queries ({len(real) - len(real) // 4:,} passages)"].ours >= 0.98
    assert figures["ANN recall@10, latency-benchmark vectors @3,000"].ours >= 0.98
    assert any("held out as queries" in line for line in lines)
    assert not (tmp_path / "ann-index").exists()


def test_missing_stores_are_named_with_the_fix(tmp_path):
    with pytest.raises(BenchmarkDataError, match=f"under {tmp_path}.*python -m ingest.benchmark"):
        real_embeddings(tmp_path)


def test_real_embeddings_reads_a_saved_store(stores, real):
    assert np.allclose(np.sort(real_embeddings(stores), axis=0), np.sort(real, axis=0), atol=1e-6)


def test_seeded_vectors_are_unit_deterministic_and_grouped_by_document(real):
    grower = SeededVectors(real)
    first, again, other = grower.document(4), grower.document(4), grower.document(5)
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-5)
    within = float((first @ first.T).mean())
    across = float((first @ other.T).mean())
    assert within > across + 0.1  # a document's chunks share its topic


def test_embedding_map_has_neighbourhoods_that_random_vectors_lack():
    embedding_map = EmbeddingMap(7)
    rng = np.random.default_rng(1)
    rows = embedding_map.query_vectors(rng, 5000)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)
    queries = embedding_map.query_vectors(rng, 50)
    nearest = np.sort(queries @ rows.T, axis=1)[:, -1]
    assert np.median(nearest) > 0.6  # random unit vectors in 384-d would give about 0.2
    assert np.allclose(EmbeddingMap(7).query_vectors(np.random.default_rng(1), 3), rows[:3], atol=1e-6)


def test_synthetic_corpus_documents_use_the_embedding_map():
    letters = "abcdefghijklmnopqrstuvwxyz"
    corpus = SyntheticCorpus([" ".join(first + second + "ing" for first in letters for second in letters)])
    document = corpus.document(3)
    assert document.embeddings.shape == (100, 384)
    assert np.array_equal(document.embeddings, corpus.document(3).embeddings)
    assert float((document.embeddings @ document.embeddings.T).mean()) > 0.3
