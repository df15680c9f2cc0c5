"""Query latency at 10k-300k synthetic chunks, store size and open time, beside the baseline."""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from haystack import Document
from haystack.document_stores.in_memory import InMemoryDocumentStore

from ingest.benchmark.baseline import BaselineSearch, baseline_documents, filled_store
from ingest.benchmark.cold_start import cold_start_figures
from ingest.benchmark.figures import Figure, milliseconds, timed_calls
from ingest.benchmark.synthetic import CHUNKS_PER_DOCUMENT, DIMENSION, SyntheticCorpus
from search.embedding import Embedder
from search.fusion import reciprocal_rank_fusion
from search.models import ChunkRecord, DocumentRecord, SearchFilters
from search.retrievers import EmbeddingRetriever, KeywordRetriever
from search.settings import Settings
from search.store.embedded import EmbeddedStore

Query = tuple[str, np.ndarray]


class OurSearch:
    """BM25, vector and hybrid search through our retriever components, as the service runs them."""

    def __init__(self, store: EmbeddedStore, settings: Settings) -> None:
        self.keyword_retriever = KeywordRetriever(store=store)
        self.embedding_retriever = EmbeddingRetriever(store=store)
        self.rrf_k = settings.rrf_k
        self.candidates = settings.candidates

    def keyword(self, query: str, top_k: int = 10) -> list[Document]:
        """BM25 hits."""
        return list(self.keyword_retriever.run(query=query, filters=SearchFilters(), top_k=top_k)["documents"])

    def vector(self, embedding: np.ndarray, top_k: int = 10) -> list[Document]:
        """Cosine hits."""
        found = self.embedding_retriever.run(query_embedding=embedding, filters=SearchFilters(), top_k=top_k)  # type: ignore[arg-type]
        return list(found["documents"])

    def hybrid(self, query: str, embedding: np.ndarray, top_k: int = 10) -> list[Document]:
        """Both rankings' candidates fused by reciprocal rank."""
        fused = reciprocal_rank_fusion(
            [self.keyword(query, self.candidates), self.vector(embedding, self.candidates)], k=self.rrf_k
        )
        return fused[:top_k]


def _latency_figures(size: int, ours: OurSearch, baseline: BaselineSearch | None, queries: Sequence[Query],
                     baseline_queries: int, embedder: Embedder | None = None) -> list[Figure]:
    few = [(text, vector.tolist()) for text, vector in queries[:baseline_queries]]
    modes: dict[str, tuple[Callable[[Query], object], Callable[[tuple[str, list[float]]], object] | None]] = {
        "BM25": (lambda q: ours.keyword(q[0]), None),
        "vector": (lambda q: ours.vector(q[1]), None),
        "hybrid": (lambda q: ours.hybrid(q[0], q[1]), None),
    }
    if embedder is not None:
        # The question is embedded by the real model (its cost counted); the synthetic vector is
        # searched, so the vector index sees queries shaped like its passages.
        modes["hybrid incl. query embedding"] = (
            lambda q: (embedder.embed_query(q[0]), ours.hybrid(q[0], q[1])), None)
    if baseline is not None:
        modes["BM25"] = (modes["BM25"][0], lambda q: baseline.keyword(q[0]))
        modes["vector"] = (modes["vector"][0], lambda q: baseline.vector(q[1]))
        modes["hybrid"] = (modes["hybrid"][0], lambda q: baseline.hybrid(q[0], q[1]))
    figures = []
    for mode, (run_ours, run_baseline) in modes.items():
        ours_seconds = timed_calls(run_ours, queries)
        base_seconds = timed_calls(run_baseline, few) if run_baseline else None
        note = f"top 10; ours over {len(queries)} queries, " + (
            f"baseline over {len(few)}" if base_seconds else "no baseline at this size")
        for percentile in (50, 95):
            figures.append(Figure(
                f"query {mode} p{percentile} @{size:,}", "ms", milliseconds(ours_seconds, percentile),
                milliseconds(base_seconds, percentile) if base_seconds else None, note=note,
            ))
    return figures


def _folder_bytes(folder: Path) -> int:
    return sum(os.path.getsize(Path(root) / name) for root, _, names in os.walk(folder) for name in names)


def _write_documents(store: EmbeddedStore, corpus: SyntheticCorpus, first: int, last: int) -> None:
    for number in range(first, last):
        document = corpus.document(number)
        chunks = [
            ChunkRecord(doc_id=document.doc_id, ordinal=i, text=text, char_end=len(text), embedding=vector)  # type: ignore[arg-type]
            for i, (text, vector) in enumerate(zip(document.texts, document.embeddings, strict=True))
        ]
        record = DocumentRecord(
            doc_id=document.doc_id, title=f"Synthetic document {number}", doc_type="other",
            source=f"synthetic:{number}", content_hash=str(number), chunks=len(chunks),
        )
        store.upsert_document(record, chunks, [])
    store.flush()


def _baseline_documents(corpus: SyntheticCorpus, documents: int) -> list[Document]:
    built: list[Document] = []
    for number in range(documents):
        document = corpus.document(number)
        ids = [f"{document.doc_id}#{i}" for i in range(len(document.texts))]
        built += baseline_documents(ids, document.texts, document.embeddings)
    return built


def measure_latency(
    corpus: SyntheticCorpus,
    sizes: Sequence[int],
    folder: Path,
    settings: Settings,
    *,
    queries: int = 50,
    baseline_queries: int = 10,
    baseline_max: int = 100_000,
    baseline_persist_max: int = 10_000,
    embedder: Embedder | None = None,
    cold_start: bool = False,
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """Grow one store of ours through ``sizes`` (chunks) and time queries at each size.

    At each size: bulk-write rate, size on disk, open time (open + first BM25 and vector
    query) and p50/p95 latency of BM25, vector and hybrid search. The baseline is built from
    the same chunks up to ``baseline_max`` chunks, saved and loaded up to ``baseline_persist_max``.
    """
    store_dir = folder / "synthetic-store"
    shutil.rmtree(store_dir, ignore_errors=True)
    asked = corpus.queries(queries)
    figures: list[Figure] = []
    documents = 0
    try:
        for size in sorted(sizes):
            wanted = -(-size // CHUNKS_PER_DOCUMENT)
            log(f"latency: writing {wanted * CHUNKS_PER_DOCUMENT:,} synthetic chunks")
            writer = EmbeddedStore(store_dir, model=settings.model, dimension=DIMENSION, writable=True)
            started = time.perf_counter()
            _write_documents(writer, corpus, documents, wanted)
            write_seconds = time.perf_counter() - started
            writer.close()
            written = (wanted - documents) * CHUNKS_PER_DOCUMENT
            documents = wanted
            chunks = documents * CHUNKS_PER_DOCUMENT

            started = time.perf_counter()
            reader = EmbeddedStore(store_dir, model=settings.model, dimension=DIMENSION)
            ours = OurSearch(reader, settings)
            ours.keyword(asked[0][0])
            ours.vector(asked[0][1])
            open_seconds = time.perf_counter() - started
            log(f"latency: timing queries at {chunks:,} chunks")

            baseline = base_write = base_open = base_bytes = None
            if chunks <= baseline_max:
                built = _baseline_documents(corpus, documents)
                started = time.perf_counter()
                base_store = filled_store(built)
                base_write = time.perf_counter() - started
                del built
                if chunks <= baseline_persist_max:
                    base_open, base_bytes, base_store = _baseline_persistence(base_store, folder, asked[0])
                baseline = BaselineSearch(base_store, rrf_k=settings.rrf_k, candidates=settings.candidates)

            figures.append(Figure(f"bulk write @{size:,}", "chunks/s", written / write_seconds,
                                  None if base_write is None else chunks / base_write,
                                  note=f"ours: the {written:,} chunks added to reach this size"))
            figures.append(Figure(f"store size @{size:,}", "MB", _folder_bytes(store_dir) / 1e6,
                                  None if base_bytes is None else base_bytes / 1e6,
                                  note="baseline: save_to_disk JSON"))
            figures.append(Figure(f"open + first query @{size:,}", "s", open_seconds, base_open,
                                  note="baseline: load_from_disk + first query"))
            figures += _latency_figures(size, ours, baseline, asked, baseline_queries, embedder)
            reader.close()
            if cold_start and size == max(sizes):
                log(f"latency: cold start of a fresh process at {chunks:,} chunks")
                figures += cold_start_figures(store_dir, chunks, asked[0][0])
            del baseline
            gc.collect()
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)
    return figures


def _baseline_persistence(
    store: InMemoryDocumentStore, folder: Path, query: Query
) -> tuple[float, int, InMemoryDocumentStore]:
    """(seconds to load and answer a first query, bytes on disk, the loaded store)."""
    path = folder / "baseline-store.json"
    store.save_to_disk(str(path))
    size = path.stat().st_size
    store.delete_all_documents()
    started = time.perf_counter()
    loaded = InMemoryDocumentStore.load_from_disk(str(path))
    search = BaselineSearch(loaded)
    search.keyword(query[0])
    search.vector(query[1].tolist())
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds, size, loaded
