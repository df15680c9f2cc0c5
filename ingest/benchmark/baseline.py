"""The baseline: Haystack's InMemoryDocumentStore with its BM25 and embedding retrievers.

Hybrid retrieval fuses both with our own ``reciprocal_rank_fusion``, so only the stores differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from haystack import Document
from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
from haystack.document_stores.in_memory import InMemoryDocumentStore

from search.fusion import reciprocal_rank_fusion


def baseline_documents(ids: Sequence[str], texts: Sequence[str], embeddings: np.ndarray) -> list[Document]:
    """Haystack Documents (id, content, ``doc_id`` meta, embedding as a list of floats)."""
    return [
        Document(id=doc_id, content=text, meta={"doc_id": doc_id.split("#")[0]}, embedding=vector.tolist())
        for doc_id, text, vector in zip(ids, texts, embeddings, strict=True)
    ]


class BaselineSearch:
    """BM25, vector and hybrid search over an InMemoryDocumentStore.

    Parameters:
        store: the filled store.
        rrf_k: the reciprocal-rank-fusion constant (as our setting ``rrf_k``).
        candidates: passages each retriever fetches before fusion (as our setting ``candidates``).
    """

    def __init__(self, store: InMemoryDocumentStore, *, rrf_k: int = 60, candidates: int = 100) -> None:
        self.store = store
        self.bm25 = InMemoryBM25Retriever(document_store=store)
        # The store returns embeddings by default; a search result does not need them.
        self.dense = InMemoryEmbeddingRetriever(document_store=store, return_embedding=False)
        self.rrf_k = rrf_k
        self.candidates = candidates

    def keyword(self, query: str, top_k: int = 10) -> list[Document]:
        """BM25 (Haystack's BM25L) hits, best first."""
        return list(self.bm25.run(query=query, top_k=top_k)["documents"])

    def vector(self, embedding: Sequence[float], top_k: int = 10) -> list[Document]:
        """Dot-product hits on the (normalised) embeddings, best first."""
        return list(self.dense.run(query_embedding=list(map(float, embedding)), top_k=top_k)["documents"])

    def hybrid(self, query: str, embedding: Sequence[float], top_k: int = 10) -> list[Document]:
        """Both retrievers' ``candidates`` fused by reciprocal rank, best first."""
        return self.fuse(self.keyword(query, self.candidates), self.vector(embedding, self.candidates), top_k)

    def fuse(self, keyword: list[Document], vector: list[Document], top_k: int) -> list[Document]:
        """Reciprocal rank fusion of two rankings (as our hybrid mode does)."""
        return reciprocal_rank_fusion([keyword, vector], k=self.rrf_k)[:top_k]


def filled_store(documents: Iterable[Document]) -> InMemoryDocumentStore:
    """A new InMemoryDocumentStore holding ``documents``."""
    # Not shared: a shared store's documents live in a class-wide registry for ever.
    store = InMemoryDocumentStore(shared=False)
    store.write_documents(list(documents))
    return store
