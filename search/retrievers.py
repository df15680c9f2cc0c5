"""Haystack retriever components over a :class:`search.store.protocol.ChunkStore`."""

from __future__ import annotations

from haystack import Document, component

from search.models import ChunkRecord, SearchFilters
from search.store.protocol import ChunkStore


def chunk_document(chunk: ChunkRecord, score: float) -> Document:
    """A stored chunk as a Haystack Document (id = chunk id; position in ``meta``)."""
    return Document(
        id=chunk.chunk_id,
        content=chunk.text,
        score=score,
        meta=chunk.position(),
    )


@component
class KeywordRetriever:
    """BM25 retrieval from the store.

    Parameters:
        store: the store to search.
        top_k: passages returned unless the run asks otherwise.
    """

    def __init__(self, *, store: ChunkStore, top_k: int = 100) -> None:
        self.store = store
        self.top_k = top_k

    @component.output_types(documents=list[Document])
    def run(
        self, query: str, filters: SearchFilters | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        """Returns ``documents``: the best passages for ``query``, BM25 score in ``score``."""
        found = self.store.keyword_search(query, top_k or self.top_k, filters or SearchFilters())
        return {"documents": [chunk_document(chunk, score) for chunk, score in found]}


@component
class EmbeddingRetriever:
    """Dense retrieval from the store by cosine similarity to a query embedding.

    Parameters:
        store: the store to search.
        top_k: passages returned unless the run asks otherwise.
    """

    def __init__(self, *, store: ChunkStore, top_k: int = 100) -> None:
        self.store = store
        self.top_k = top_k

    @component.output_types(documents=list[Document])
    def run(
        self, query_embedding: list[float], filters: SearchFilters | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        """Returns ``documents``: the nearest passages, cosine similarity in ``score``."""
        found = self.store.vector_search(query_embedding, top_k or self.top_k, filters or SearchFilters())
        return {"documents": [chunk_document(chunk, score) for chunk, score in found]}
