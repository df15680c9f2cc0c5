"""Retrieval-quality evaluation: ranking metrics and BEIR-format test sets."""

from search.evaluation.beir import BeirReport, BeirSet, evaluate_beir, load_beir, subset
from search.evaluation.metrics import RankingScores, ndcg_at_k, recall_at_k, score_rankings

__all__ = ["BeirReport", "BeirSet", "RankingScores", "evaluate_beir", "load_beir", "ndcg_at_k",
           "recall_at_k", "score_rankings", "subset"]
