"""Reciprocal rank fusion: one ranked list from several, by summing 1 / (k + rank)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from haystack import Document, component


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Document]], *, k: int, weights: Sequence[float] | None = None
) -> list[Document]:
    """Fuse ranked lists of documents (matched by id) into one, best first.

    Each list contributes ``weight / (k + rank)`` (rank from 1) to a document's score; the
    fused documents are copies of the first one seen, carrying the fused score.
    """
    weights = list(weights) if weights else [1.0] * len(rankings)
    scores: dict[str, float] = {}
    first: dict[str, Document] = {}
    for ranking, weight in zip(rankings, weights, strict=False):
        for rank, document in enumerate(ranking, start=1):
            scores[document.id] = scores.get(document.id, 0.0) + weight / (k + rank)
            first.setdefault(document.id, document)
    order = sorted(scores, key=lambda doc_id: scores[doc_id], reverse=True)
    return [replace(first[doc_id], score=scores[doc_id]) for doc_id in order]


@component
class RankFusion:
    """Haystack component fusing keyword and semantic rankings with reciprocal rank fusion.

    Parameters:
        k: the RRF constant (60 in the original paper; higher flattens rank differences).
        keyword_weight: weight of the BM25 ranking; the semantic ranking weighs 1.
    """

    def __init__(self, *, k: int = 60, keyword_weight: float = 1.0) -> None:
        self.k = k
        self.keyword_weight = keyword_weight

    @component.output_types(documents=list[Document])
    def run(self, keyword: list[Document], semantic: list[Document], top_k: int | None = None) -> dict[str, list[Document]]:
        """Fuse the two rankings; returns ``documents``, the best ``top_k`` (all when None)."""
        fused = reciprocal_rank_fusion([keyword, semantic], k=self.k, weights=[self.keyword_weight, 1.0])
        return {"documents": fused if top_k is None else fused[:top_k]}
