"""The embedded store: SQLite as the system of record, tantivy (BM25) and NumPy (vectors) derived.

No server: everything lives in ``data_dir``. Writes go to SQLite first, one transaction per
document, and are logged; ``flush`` brings both indexes up to the log and records how far they
got. On open, a writer replays whatever the indexes missed (after a crash, say), so they can
never silently disagree with the records.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.errors import StoreError
from search.models import ChunkRecord, DocumentRecord, SearchFilters, StoreStats
from search.settings import Settings
from search.store.index_state import read_applied
from search.store.keyword_index import KeywordIndex
from search.store.records import RecordStore
from search.store.vector_index import VectorIndex
from search.store.write_lock import WriteLock

log = logging.getLogger(__name__)


class EmbeddedStore:
    """The default, serverless store (implements :class:`search.store.protocol.ChunkStore`).

    Parameters:
        data_dir: the store's folder (created when missing).
        model: name of the embedding model; the store refuses vectors of another model.
        dimension: length of that model's embeddings.
        writable: take the write lock (one writer per store; raises StoreLockedError if held).
        ann_min_rows, ann_probes: when the vector search turns approximate, and how widely it reads
            (the settings of those names).
    """

    backend = "embedded"

    def __init__(
        self,
        data_dir: Path,
        *,
        model: str,
        dimension: int,
        writable: bool = False,
        ann_min_rows: int = Settings.ann_min_rows,
        ann_probes: int = Settings.ann_probes,
    ) -> None:
        self.data_dir = data_dir
        self.model = model
        self.dimension = dimension
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {data_dir} ({exc.strerror}): set LESSONS_DATA_DIR to a writable folder") from None
        self._lock = WriteLock(data_dir)
        if writable:
            self._lock.acquire_or_fail()
        self.records = RecordStore(data_dir / "lessons.sqlite3")
        self._check_model()
        self.vectors = VectorIndex(data_dir / "vectors", dimension, ann_min_rows=ann_min_rows, ann_probes=ann_probes)
        if not self.vectors.load():
            self.vectors.applied_seq = -1
        # A reader may repair indexes left behind by a crashed writer, if no writer is running.
        repairing = not writable and self._indexes_behind() and self._lock.acquire()
        self.keywords = KeywordIndex(data_dir / "keyword", writable=writable or repairing)
        self._documents: dict[str, DocumentRecord] = {}
        self._documents_seq = -1
        if writable or repairing:
            self.catch_up()
        if repairing:
            self.keywords.close()
            self._lock.release()

    # -- consistency ----------------------------------------------------------------------
    def _check_model(self) -> None:
        stored_model = self.records.get_meta("model")
        stored_dimension = self.records.get_meta("dimension")
        if stored_model is None:
            self.records.set_meta("model", self.model)
            self.records.set_meta("dimension", str(self.dimension))
            return
        if stored_model != self.model or stored_dimension != str(self.dimension):
            raise StoreError(
                f"the store in {self.data_dir} was built with model {stored_model} "
                f"({stored_dimension}-d vectors), not {self.model} ({self.dimension}-d): set "
                f"LESSONS_MODEL={stored_model}, or use another LESSONS_DATA_DIR and ingest again"
            )

    def _indexes_behind(self) -> bool:
        last = self.records.last_change()
        keyword_state = read_applied(self.data_dir / "keyword")
        keyword_seq = -1 if keyword_state is None else keyword_state["applied_seq"]
        return bool(self.vectors.applied_seq != last or keyword_seq != last)

    def catch_up(self) -> int:
        """Apply to both indexes every change they have not seen; returns documents re-indexed."""
        last = self.records.last_change()
        repaired = 0
        for index in (self.vectors, self.keywords):
            if index.applied_seq > last:  # indexes newer than the records: rebuild from records
                index.applied_seq = -1
        if self.vectors.applied_seq < 0:
            self.vectors.clear()
        if self.keywords.applied_seq < 0:
            self.keywords.clear()
        for doc_id in self.records.changed_since(max(min(self.vectors.applied_seq, self.keywords.applied_seq), 0)):
            rows = self.records.chunk_rows(doc_id)
            self._apply(doc_id, rows, vectors=self.vectors.applied_seq < last, keywords=self.keywords.applied_seq < last)
            repaired += 1
        if repaired or self.vectors.applied_seq != last or self.keywords.applied_seq != last:
            log.info("brought the search indexes up to date (%d documents)", repaired)
            self._persist(last)
        return repaired

    def _apply(self, doc_id: str, rows: list[tuple[int, str, str, bytes]], *, vectors: bool, keywords: bool) -> None:
        if vectors:
            self.vectors.remove_document(doc_id)
            if rows:
                keys = np.array([row[0] for row in rows], dtype=np.int64)
                matrix = np.frombuffer(b"".join(row[3] for row in rows), dtype=np.float32).reshape(len(rows), -1)
                self.vectors.add(doc_id, keys, matrix)
        if keywords:
            self.keywords.remove_document(doc_id)
            self.keywords.add(doc_id, ((key, text, context) for key, text, context, _ in rows))

    def _persist(self, seq: int) -> None:
        self.keywords.commit(seq)
        self.vectors.save(seq)

    def _refresh(self) -> None:
        """Pick up indexes another process saved since we loaded ours."""
        if self.vectors.changed_on_disk():
            self.vectors.load()
        if self.keywords.changed_on_disk():
            self.keywords.reload()

    # -- writes ---------------------------------------------------------------------------
    def _require_writer(self) -> None:
        if not self._lock.held:
            raise StoreError("this store was opened for reading: open it with writable=True to change it")

    def upsert_document(
        self, document: DocumentRecord, chunks: Sequence[ChunkRecord], pages: Sequence[str]
    ) -> None:
        """Replace a document atomically; searches see it after the next ``flush``."""
        self._require_writer()
        for chunk in chunks:
            if chunk.embedding is None or len(chunk.embedding) != self.dimension:
                raise StoreError(
                    f"chunk {chunk.chunk_id} has no {self.dimension}-d embedding: embed chunks before writing"
                )
        for displaced in self.records.replace_document(document, chunks, pages):
            self._apply_latest(displaced)
        self._apply_latest(document.doc_id)

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document; searches stop returning it after the next ``flush``."""
        self._require_writer()
        existed = self.records.delete_document(doc_id)
        if existed:
            self._apply_latest(doc_id)
        return existed

    def _apply_latest(self, doc_id: str) -> None:
        self._apply(doc_id, self.records.chunk_rows(doc_id), vectors=True, keywords=True)

    def flush(self) -> None:
        """Commit both indexes up to the newest record change."""
        self._require_writer()
        # Every write through this object was applied to the indexes in memory as it happened,
        # and nothing else writes while we hold the lock: committing them is all that is left.
        self._persist(self.records.last_change())

    # -- reads ----------------------------------------------------------------------------
    def get_document(self, doc_id: str) -> DocumentRecord | None:
        """The document with this id, or None."""
        return self.records.document(doc_id)

    def document_for_source(self, source: str) -> DocumentRecord | None:
        """The document ingested from ``source``, or None."""
        return self.records.document_for_source(source)

    def list_documents(self) -> list[DocumentRecord]:
        """All documents, by title."""
        return self.records.documents()

    def page_text(self, doc_id: str, page: int) -> str | None:
        """One page's text, or None."""
        return self.records.page_text(doc_id, page)

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in order."""
        return self.records.chunks_of(doc_id)

    def documents_by_id(self) -> dict[str, DocumentRecord]:
        """Every document keyed by id (cached until the records change)."""
        seq = self.records.last_change()
        if seq != self._documents_seq:
            self._documents = {d.doc_id: d for d in self.records.documents()}
            self._documents_seq = seq
        return self._documents

    def allowed_doc_ids(self, filters: SearchFilters) -> set[str] | None:
        """The documents the filters admit, or None when they admit everything."""
        if filters.is_empty():
            return None
        return {doc_id for doc_id, doc in self.documents_by_id().items() if filters.admits(doc)}

    def _resolve(self, pairs: list[tuple[int, float]], top_k: int) -> list[tuple[ChunkRecord, float]]:
        chunks = self.records.chunks_by_key(key for key, _ in pairs)
        # A chunk replaced since the last flush is no longer in the records: skip it.
        return [(chunks[key], score) for key, score in pairs if key in chunks][:top_k]

    def keyword_search(self, query: str, top_k: int, filters: SearchFilters) -> list[tuple[ChunkRecord, float]]:
        """BM25 search, best first."""
        self._refresh()
        return self._resolve(self.keywords.search(query, top_k, self.allowed_doc_ids(filters)), top_k)

    def vector_search(
        self, embedding: Sequence[float], top_k: int, filters: SearchFilters
    ) -> list[tuple[ChunkRecord, float]]:
        """Cosine-similarity search, best first."""
        self._refresh()
        pairs = self.vectors.search(np.asarray(embedding, dtype=np.float32), top_k, self.allowed_doc_ids(filters))
        return self._resolve(pairs, top_k)

    def stats(self) -> StoreStats:
        """Counts and sizes."""
        documents, chunks = self.records.counts()
        by_type: dict[str, int] = {}
        for doc in self.documents_by_id().values():
            by_type[doc.doc_type] = by_type.get(doc.doc_type, 0) + 1
        size = sum(
            os.path.getsize(os.path.join(root, name))
            for root, _, names in os.walk(self.data_dir)
            for name in names
        )
        return StoreStats(
            documents=documents,
            chunks=chunks,
            by_type=dict(sorted(by_type.items())),
            size_bytes=size,
            backend=self.backend,
            data_dir=str(self.data_dir),
            model=self.model,
            last_indexed=self.records.last_report_time(),
        )

    def record_report(self, started: str, finished: str, report: dict[str, object]) -> None:
        """Keep an ingestion job's report in the record database."""
        self.records.record_report(started, finished, report)

    def integrity_problems(self) -> list[str]:
        """Disagreements between the records and the indexes (empty when consistent)."""
        problems = self.records.integrity_problems()
        _, chunks = self.records.counts()
        last = self.records.last_change()
        if self.vectors.applied_seq == last and len(self.vectors) != chunks:
            problems.append(f"vector index holds {len(self.vectors)} passages, records hold {chunks}")
        if self.keywords.applied_seq == last and len(self.keywords) != chunks:
            problems.append(f"keyword index holds {len(self.keywords)} passages, records hold {chunks}")
        if self.vectors.applied_seq != last or self.keywords.applied_seq != last:
            problems.append("search indexes are behind the records (an ingest job stopped early): run `lessons ingest` again or `lessons check --repair`")
        return problems

    def close(self) -> None:
        """Release the writer and the lock."""
        self.keywords.close()
        self.records.close()
        self._lock.release()
