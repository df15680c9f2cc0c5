"""The interface every store backend implements: the embedded store now, OpenSearch later."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from search.models import ChunkRecord, DocumentRecord, SearchFilters, StoreStats


class ScoredChunk(Protocol):
    """A chunk id with the score a retriever gave it."""

    chunk_key: int
    score: float


class ChunkStore(Protocol):
    """Stores documents and their chunks with embeddings; answers keyword and vector queries.

    Writes are atomic per document: a reader sees a document's old chunks or its new ones,
    never a mixture.
    """

    def upsert_document(
        self, document: DocumentRecord, chunks: Sequence[ChunkRecord], pages: Sequence[str]
    ) -> None:
        """Replace everything stored for ``document.doc_id`` with these chunks and page texts."""

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its chunks; True when it existed."""

    def flush(self) -> None:
        """Make every write so far durable and visible to searches in other processes."""

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        """The document with this id, or None."""

    def document_for_source(self, source: str) -> DocumentRecord | None:
        """The document ingested from this path or URL, or None."""

    def list_documents(self) -> list[DocumentRecord]:
        """All documents, ordered by title."""

    def documents_by_id(self) -> dict[str, DocumentRecord]:
        """Every document keyed by id (may be cached until the store changes)."""

    def page_text(self, doc_id: str, page: int) -> str | None:
        """The text of one page (1-based; page 1 for formats without pages), or None."""

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in order (without embeddings)."""

    def keyword_search(
        self, query: str, top_k: int, filters: SearchFilters
    ) -> list[tuple[ChunkRecord, float]]:
        """BM25 search: chunks and scores, best first."""

    def vector_search(
        self, embedding: Sequence[float], top_k: int, filters: SearchFilters
    ) -> list[tuple[ChunkRecord, float]]:
        """Nearest chunks by cosine similarity, best first."""

    def stats(self) -> StoreStats:
        """Counts and sizes."""

    def record_report(self, started: str, finished: str, report: dict[str, object]) -> None:
        """Keep an ingestion job's report (times in ISO form, the report as JSON-ready values)."""

    def integrity_problems(self) -> list[str]:
        """Disagreements inside the store (empty when consistent)."""

    def close(self) -> None:
        """Release files and locks."""
