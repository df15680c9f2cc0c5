"""Ranking metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from search.evaluation.metrics import dcg_at_k, ndcg_at_k, recall_at_k, score_rankings

# b is highly relevant (2), d and e relevant (1), a judged not relevant (0), c not judged.
JUDGEMENTS = {"a": 0, "b": 2, "d": 1, "e": 1}
RANKING = ["a", "b", "c", "d"]


def test_dcg_uses_linear_graded_gain_and_log2_discount() -> None:
    expected = 2 / math.log2(3) + 1 / math.log2(5)
    assert dcg_at_k(RANKING, JUDGEMENTS, 10) == pytest.approx(expected)
    assert dcg_at_k(RANKING, JUDGEMENTS, 10) == pytest.approx(1.69254, abs=1e-5)


def test_ndcg_divides_by_the_ideal_ordering_by_grade() -> None:
    ideal = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKING, JUDGEMENTS, 10) == pytest.approx((2 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert ndcg_at_k(RANKING, JUDGEMENTS, 10) == pytest.approx(0.54059, abs=1e-5)


def test_ndcg_cuts_at_k() -> None:
    # Only "a" (grade 0) is in the first rank: nothing gained.
    assert ndcg_at_k(RANKING, JUDGEMENTS, 1) == 0.0
    # At k=2 the ideal is b then d/e: 2 + 1/log2(3); the ranking gets 2/log2(3).
    assert ndcg_at_k(RANKING, JUDGEMENTS, 2) == pytest.approx((2 / math.log2(3)) / (2 + 1 / math.log2(3)))


def test_perfect_ranking_scores_one() -> None:
    assert ndcg_at_k(["b", "d", "e"], JUDGEMENTS, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "e", "d", "a"], JUDGEMENTS, 10) == pytest.approx(1.0)


def test_recall_counts_relevant_documents_found() -> None:
    assert recall_at_k(RANKING, JUDGEMENTS, 100) == pytest.approx(2 / 3)
    assert recall_at_k(RANKING, JUDGEMENTS, 2) == pytest.approx(1 / 3)
    assert recall_at_k([], JUDGEMENTS, 100) == 0.0


def test_queries_without_relevant_documents_are_not_scored() -> None:
    assert ndcg_at_k(RANKING, {"a": 0}, 10) is None
    assert recall_at_k(RANKING, {}, 100) is None


def test_score_rankings_averages_scorable_queries_and_drops_repeats() -> None:
    scores = score_rankings(
        {
            "q1": ["b", "b", "d", "e"],  # the repeated b counts once: a perfect ranking
            "q2": ["x", "y"],  # finds nothing
            "q3": ["a"],  # no relevant document: skipped
        },
        {"q1": JUDGEMENTS, "q2": {"z": 1}, "q3": {"a": 0}},
    )
    assert scores.queries == 2
    assert scores.ndcg_at_10 == pytest.approx(0.5)
    assert scores.recall_at_100 == pytest.approx(0.5)


def test_score_rankings_of_nothing_is_zero() -> None:
    scores = score_rankings({}, {"q1": {"a": 1}})
    assert (scores.ndcg_at_10, scores.recall_at_100, scores.queries) == (0.0, 0.0, 0)
