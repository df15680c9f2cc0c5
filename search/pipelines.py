"""The query pipelines: keyword, semantic and hybrid retrieval as Haystack pipelines."""

from __future__ import annotations

from haystack import Pipeline

from search.embedding import Embedder
from search.fusion import RankFusion
from search.reranking import HeadReranker
from search.retrievers import EmbeddingRetriever, KeywordRetriever
from search.store.protocol import ChunkStore

MODES = ("hybrid", "keyword", "semantic")
"""Retrieval modes: BM25 and dense fused, BM25 only, dense only."""


def build_retrieval_pipeline(
    mode: str, store: ChunkStore, embedder: Embedder, *, rrf_k: int, reranker: HeadReranker | None = None
) -> Pipeline:
    """A pipeline for one retrieval mode.

    Inputs: ``query_embedder.text`` (semantic, hybrid), ``keyword_retriever.query`` (keyword,
    hybrid); each retriever takes ``filters`` and ``top_k``; hybrid's ``fusion`` takes ``top_k``;
    with a reranker, ``reranker.query``. Output: ``documents`` of ``last_component(mode, ...)``.
    """
    pipeline = Pipeline()
    if mode in ("keyword", "hybrid"):
        pipeline.add_component("keyword_retriever", KeywordRetriever(store=store))
    if mode in ("semantic", "hybrid"):
        pipeline.add_component("query_embedder", embedder.new_text_embedder())
        pipeline.add_component("embedding_retriever", EmbeddingRetriever(store=store))
        pipeline.connect("query_embedder.embedding", "embedding_retriever.query_embedding")
    if mode == "hybrid":
        pipeline.add_component("fusion", RankFusion(k=rrf_k))
        pipeline.connect("keyword_retriever.documents", "fusion.keyword")
        pipeline.connect("embedding_retriever.documents", "fusion.semantic")
    if reranker is not None:
        pipeline.add_component("reranker", reranker)
        pipeline.connect(f"{_retrieval_end(mode)}.documents", "reranker.documents")
    return pipeline


def _retrieval_end(mode: str) -> str:
    return {"hybrid": "fusion", "keyword": "keyword_retriever", "semantic": "embedding_retriever"}[mode]


def last_component(mode: str, *, reranked: bool = False) -> str:
    """The component whose ``documents`` are the pipeline's result for ``mode``."""
    return "reranker" if reranked else _retrieval_end(mode)
