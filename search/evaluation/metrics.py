"""Ranking metrics of information retrieval, as BEIR reports them (via trec_eval).

Relevance is graded: a judgement of 0 means "not relevant", any positive grade is relevant
and counts with its value as the gain (trec_eval's linear gain, which BEIR uses). A query
with no relevant document cannot be scored and is left out of every mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Judgements = Mapping[str, int]
"""The graded relevance of documents for one query: doc id -> grade (0 = not relevant)."""


def _relevant(judgements: Judgements) -> dict[str, int]:
    return {doc_id: grade for doc_id, grade in judgements.items() if grade > 0}


def dcg_at_k(ranking: Sequence[str], judgements: Judgements, k: int) -> float:
    """Discounted cumulative gain of the first ``k`` ids: sum of grade / log2(rank + 1)."""
    return sum(
        max(judgements.get(doc_id, 0), 0) / math.log2(rank + 1)
        for rank, doc_id in enumerate(ranking[:k], start=1)
    )


def ndcg_at_k(ranking: Sequence[str], judgements: Judgements, k: int = 10) -> float | None:
    """Normalised DCG of the first ``k`` ids of ``ranking`` (best first); None without relevant docs.

    The ideal ranking lists the relevant documents by grade, highest first.
    """
    ideal = sorted(_relevant(judgements).values(), reverse=True)
    if not ideal:
        return None
    ideal_dcg = sum(grade / math.log2(rank + 1) for rank, grade in enumerate(ideal[:k], start=1))
    return dcg_at_k(ranking, judgements, k) / ideal_dcg


def recall_at_k(ranking: Sequence[str], judgements: Judgements, k: int = 100) -> float | None:
    """Share of the relevant documents found in the first ``k`` ids; None without relevant docs."""
    relevant = _relevant(judgements)
    if not relevant:
        return None
    return len(relevant.keys() & set(ranking[:k])) / len(relevant)


def unique_in_order(ids: Iterable[str]) -> list[str]:
    """The ids with repeats removed, first occurrence kept (passages of one document count once)."""
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class RankingScores:
    """Mean metrics over the queries that have at least one relevant document."""

    ndcg_at_10: float
    recall_at_100: float
    queries: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores as JSON-ready values (rounded to 5 places)."""
        return {"ndcg_at_10": round(self.ndcg_at_10, 5), "recall_at_100": round(self.recall_at_100, 5),
                "queries": self.queries}


def score_rankings(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Judgements]) -> RankingScores:
    """nDCG@10 and Recall@100 averaged over the ranked queries that have relevant documents.

    Parameters:
        rankings: query id -> document ids, best first (repeats are dropped here).
        qrels: query id -> graded judgements.

    Returns RankingScores (zeros and ``queries=0`` when no query can be scored).
    """
    ndcgs: list[float] = []
    recalls: list[float] = []
    for query_id, ranking in rankings.items():
        judgements = qrels.get(query_id, {})
        ranked = unique_in_order(ranking)
        ndcg = ndcg_at_k(ranked, judgements, 10)
        recall = recall_at_k(ranked, judgements, 100)
        if ndcg is None or recall is None:
            continue
        ndcgs.append(ndcg)
        recalls.append(recall)
    if not ndcgs:
        return RankingScores(0.0, 0.0, 0)
    return RankingScores(sum(ndcgs) / len(ndcgs), sum(recalls) / len(recalls), len(ndcgs))
