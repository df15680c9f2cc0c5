"""Ingestion throughput on real documents: parsing, chunking, embedding and writing."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ingest.benchmark.baseline import baseline_documents, filled_store
from ingest.benchmark.figures import Figure
from ingest.benchmark.synthetic import unit_vectors
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from ingest.parsed import ParsedDocument
from search.embedding import PACKAGED_DIMENSION, Embedder, passage_for_embedding
from search.errors import DocumentError
from search.models import ChunkRecord, DocumentRecord
from search.settings import Settings
from search.store.embedded import EmbeddedStore


@dataclass
class RealCorpus:
    """The parsed real documents and their chunks, kept for the later parts (vocabulary)."""

    parsed: dict[str, ParsedDocument]
    chunks: dict[str, list[ChunkRecord]]

    def texts(self) -> list[str]:
        """Every page text of every document."""
        return [page for parsed in self.parsed.values() for page in parsed.pages]


def measure_ingestion(
    folder: Path, settings: Settings, embedder: Embedder, *, max_files: int | None, embed_sample: int
) -> tuple[list[Figure], RealCorpus]:
    """Time each ingestion step on the PDFs of ``folder`` (the smallest ``max_files`` when given).

    Returns the figures (pages/s parsed, chunks/s chunked, embedded and written, the last beside
    the baseline's ``write_documents``) and the parsed corpus.
    """
    files = sorted(folder.glob("*.pdf"), key=lambda path: path.stat().st_size)
    files = files[:max_files] if max_files else files
    if not files:
        raise FileNotFoundError(f"no PDF in {folder}: give a folder of real documents with --corpus")
    corpus = RealCorpus({}, {})
    parse_seconds = 0.0
    for path in files:
        started = time.perf_counter()
        try:
            parsed = load_document(path, max_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
        except DocumentError:
            continue  # a file our loader refuses is not part of a throughput figure
        parse_seconds += time.perf_counter() - started
        corpus.parsed[path.stem] = parsed
    pages = sum(parsed.page_count or 1 for parsed in corpus.parsed.values())

    started = time.perf_counter()
    for doc_id, parsed in corpus.parsed.items():
        corpus.chunks[doc_id] = chunk_document(
            parsed, doc_id, target_words=settings.chunk_target_words, max_words=settings.chunk_max_words
        )
    chunk_seconds = time.perf_counter() - started
    all_chunks = [chunk for chunks in corpus.chunks.values() for chunk in chunks]

    sample = all_chunks[:: max(1, len(all_chunks) // embed_sample)][:embed_sample]
    titles = {doc_id: parsed.metadata.get("title") or doc_id for doc_id, parsed in corpus.parsed.items()}
    passages = [passage_for_embedding(c.text, titles[c.doc_id], c.section) for c in sample]
    embedder.embed_passages(passages[:8])  # load the model outside the timing
    started = time.perf_counter()
    embedder.embed_passages(passages)
    embed_seconds = time.perf_counter() - started

    # Writes use random unit vectors: embedding every chunk would only measure the model again.
    vectors = unit_vectors(np.random.default_rng(3), len(all_chunks))
    ours_write = _write_ours(corpus, vectors, settings)
    ids = [chunk.chunk_id for chunk in all_chunks]
    documents = baseline_documents(ids, [chunk.text for chunk in all_chunks], vectors)
    started = time.perf_counter()
    filled_store(documents)
    baseline_write = time.perf_counter() - started

    figures = [
        Figure("ingest: parse PDF", "pages/s", pages / parse_seconds,
               note=f"{len(corpus.parsed)} PDFs, {pages} pages"),
        Figure("ingest: chunk", "chunks/s", len(all_chunks) / chunk_seconds, note=f"{len(all_chunks)} chunks"),
        Figure("ingest: embed (model)", "chunks/s", len(sample) / embed_seconds,
               note=f"{len(sample)} chunks; the baseline would run the same model"),
        Figure("ingest: write to store", "chunks/s", len(all_chunks) / ours_write,
               len(all_chunks) / baseline_write, note="ours: SQLite + tantivy + vectors, durable; baseline: memory"),
    ]
    return figures, corpus


def _write_ours(corpus: RealCorpus, vectors: np.ndarray, settings: Settings) -> float:
    """Seconds to upsert every document (with its pages) and flush, in a fresh store."""
    row = 0
    with tempfile.TemporaryDirectory(prefix="lessons-bench-") as folder:
        store = EmbeddedStore(Path(folder), model=settings.model, dimension=PACKAGED_DIMENSION, writable=True)
        try:
            started = time.perf_counter()
            for doc_id, chunks in corpus.chunks.items():
                parsed = corpus.parsed[doc_id]
                embedded = [_with_vector(chunk, vectors[row + i]) for i, chunk in enumerate(chunks)]
                row += len(chunks)
                record = DocumentRecord(
                    doc_id=doc_id, title=parsed.metadata.get("title") or doc_id, doc_type="other",
                    source=parsed.source, content_hash=doc_id, pages=parsed.page_count, chunks=len(chunks),
                )
                store.upsert_document(record, embedded, parsed.pages)
            store.flush()
            return time.perf_counter() - started
        finally:
            store.close()


def _with_vector(chunk: ChunkRecord, vector: np.ndarray) -> ChunkRecord:
    return replace(chunk, embedding=vector)  # type: ignore[arg-type]  # the store takes arrays too


CHUNK_WORDS = {128: (80, 100), 256: (165, 195)}
"""Chunking (target words, most words) that gives passages of about 128 and 256 tokens here."""


def end_to_end_figures(
    folder: Path, settings: Settings, ours: str, *, max_files: int, baseline: str = "torch",
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """Chunks per second through the whole ingest job (parse, chunk, embed, write, register), ours beside
    the plain sentence-transformers path, at passages of about 128 and 256 tokens.

    Each run indexes the same ``max_files`` smallest real PDFs of ``folder`` into a fresh store.
    """
    from ingest.service import IngestService

    files = sorted(folder.glob("*.pdf"), key=lambda path: path.stat().st_size)[:max_files]
    figures = []
    with tempfile.TemporaryDirectory(prefix="lessons-e2e-") as scratch:
        documents = Path(scratch) / "documents"
        documents.mkdir()
        for path in files:
            (documents / path.name).symlink_to(path.resolve())
        for tokens, (target, most) in CHUNK_WORDS.items():
            rates, chunks = {}, 0
            for runtime in (ours, baseline):
                store = Path(scratch) / f"{runtime}-{tokens}"
                run_settings = replace(settings, data_dir=store, embedding_runtime=runtime,
                                       chunk_target_words=target, chunk_max_words=most)
                service = IngestService(run_settings)
                service.embedder.warm_up()  # loading the model is not ingestion
                report = service.ingest([documents])
                chunks = report.chunks
                rates[runtime] = report.chunks / report.seconds
                log(f"ingestion end to end: {runtime} at ~{tokens} tokens: {rates[runtime]:.1f} chunks/s")
            figures.append(Figure(
                f"ingest end to end, ~{tokens}-token chunks", "chunks/s", rates[ours], rates[baseline],
                note=f"{len(files)} real PDFs, {chunks} chunks of {target}-{most} words; ours {ours}, "
                     f"baseline {baseline}; parse+chunk+embed+write+register",
            ))
    return figures
