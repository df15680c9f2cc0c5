"""Evaluation of answers on a question set (JSONL): retrieval, facts, citations and abstention.

Each line: {"id", "question", "answerable", "relevant": [{"doc_id", "page"}], "facts": [...],
"obligation", "kind", "as_at"}. See corpus/evaluation/README.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.answers.models import Answer
from search.errors import BenchmarkDataError
from search.evaluation.metrics import ndcg_at_k, recall_at_k, unique_in_order

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalise(text: str) -> str:
    """Lower-case, straight quotes and hyphens, single spaces: how facts are matched."""
    return _SPACE.sub(" ", text.translate(_QUOTES).lower()).strip()


@dataclass(frozen=True)
class Question:
    """One evaluation question with what a correct answer needs."""

    id: str
    question: str
    answerable: bool
    relevant: tuple[tuple[str, int | None], ...]
    facts: tuple[str, ...]
    obligation: str | None = None
    as_at: dt.date | None = None


def load_questions(path: Path) -> list[Question]:
    """Read a question set; BenchmarkDataError names the file, line and fix."""
    if not path.is_file():
        raise BenchmarkDataError(f"question set {path} does not exist: give a JSONL file of questions")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item: dict[str, Any] = json.loads(line)
            questions.append(
                Question(
                    id=str(item["id"]),
                    question=str(item["question"]),
                    answerable=bool(item["answerable"]),
                    relevant=tuple((r["doc_id"], r.get("page")) for r in item.get("relevant", [])),
                    facts=tuple(item.get("facts", [])),
                    obligation=item.get("obligation"),
                    as_at=dt.date.fromisoformat(item["as_at"]) if item.get("as_at") else None,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BenchmarkDataError(
                f"{path}, line {number}: not a valid question ({type(exc).__name__}: {exc}): each line needs "
                "id, question, answerable, relevant, facts"
            ) from None
    if not questions:
        raise BenchmarkDataError(f"question set {path} holds no questions")
    return questions


@dataclass
class QuestionOutcome:
    """What happened to one question."""

    id: str
    answerable: bool
    abstained: bool
    support: float
    doc_ranking: list[str]
    page_ranking: list[str]
    facts_found: int
    facts: int
    citations: int
    citations_correct: int
    seconds: float
    answer: str = ""
    facts_missed: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    """Each citation as 'doc#page' with ' ok' when it counts as correct, ' wrong' when not."""


@dataclass
class QuestionReport:
    """Scores of an answer evaluation, with each question's outcome."""

    name: str
    outcomes: list[QuestionOutcome] = field(default_factory=list)
    threshold: float = 0.0

    def scores(self) -> dict[str, float | int | None]:
        """Every figure of the evaluation table."""
        answerable = [o for o in self.outcomes if o.answerable]
        unanswerable = [o for o in self.outcomes if not o.answerable]
        figures: dict[str, float | int | None] = {
            "questions": len(self.outcomes),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
        }
        for level in ("doc", "page"):
            rankings = [(o, getattr(o, f"{level}_ranking"), self._judgements(o, level)) for o in answerable]
            for k in (5, 10):
                values = [recall_at_k(r, j, k) for _, r, j in rankings]
                figures[f"{level}_recall@{k}"] = _mean(values)
            figures[f"{level}_mrr"] = _mean([_mrr(r, j) for _, r, j in rankings])
            figures[f"{level}_ndcg@10"] = _mean([ndcg_at_k(r, j, 10) for _, r, j in rankings])
        answered = [o for o in answerable if not o.abstained]
        figures["fact_recall"] = _ratio(sum(o.facts_found for o in answerable), sum(o.facts for o in answerable))
        figures["citation_precision"] = _ratio(
            sum(o.citations_correct for o in answered), sum(o.citations for o in answered)
        )
        abstained = [o for o in self.outcomes if o.abstained]
        figures["abstention_precision"] = _ratio(sum(not o.answerable for o in abstained), len(abstained))
        figures["abstention_recall"] = _ratio(sum(o.abstained for o in unanswerable), len(unanswerable))
        figures["answered_when_answerable"] = _ratio(len(answered), len(answerable))
        figures["median_seconds"] = statistics.median(o.seconds for o in self.outcomes) if self.outcomes else None
        return figures

    def _judgements(self, outcome: QuestionOutcome, level: str) -> dict[str, int]:
        return self._relevant[outcome.id][level]

    _relevant: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON."""
        return {
            "name": self.name,
            "support_threshold": self.threshold,
            "scores": self.scores(),
            "calibration": calibrate(self.outcomes),
            "questions": [o.__dict__ for o in self.outcomes],
        }


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 4) if kept else None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mrr(ranking: list[str], judgements: dict[str, int]) -> float | None:
    if not judgements:
        return None
    for rank, item in enumerate(ranking, start=1):
        if judgements.get(item):
            return 1.0 / rank
    return 0.0


def page_key(doc_id: str, page: int | None) -> str:
    """The id a page is judged by ('doc#p12', or the doc id for formats without pages)."""
    return f"{doc_id}#p{page}" if page else doc_id


CALIBRATION_STEP = 0.005
CALIBRATION_MARGIN = 0.01
"""Support scores move by about this much when the model runs another way (int8 or float weights,
another CPU), so a threshold is judged by its score averaged over this margin either side."""


def balanced_accuracy(outcomes: list[QuestionOutcome], threshold: float) -> float:
    """Mean of answered-when-answerable and abstained-when-unanswerable at ``threshold``."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    answered = sum(o.support >= threshold for o in answerable) / len(answerable)
    abstained = sum(o.support < threshold for o in unanswerable) / len(unanswerable)
    return (answered + abstained) / 2


def abstention_f1(outcomes: list[QuestionOutcome], threshold: float) -> float:
    """Harmonic mean of abstention precision (abstentions that were right) and recall (unanswerable
    questions abstained on) at ``threshold``; 0 when nothing is abstained on."""
    abstained = [o for o in outcomes if o.support < threshold]
    right = sum(not o.answerable for o in abstained)
    unanswerable = sum(not o.answerable for o in outcomes)
    if not right:
        return 0.0
    precision, recall = right / len(abstained), right / unanswerable
    return 2 * precision * recall / (precision + recall)


def calibrate(outcomes: list[QuestionOutcome]) -> dict[str, float | None]:
    """The support threshold that best separates answerable from unanswerable questions.

    Scans thresholds from 0 to 1 in steps of ``CALIBRATION_STEP`` and picks the one with the best
    abstention F1 (abstention precision and recall, the two figures the evaluation reports) averaged
    over ``CALIBRATION_MARGIN`` either side, so that a threshold which wins only by falling exactly
    between two questions' scores is not trusted. Ties go to the higher threshold, since a wrong
    answer is worse than none here. Returns the threshold with its abstention F1 and balanced
    accuracy (mean of answered-when-answerable and abstained-when-unanswerable).
    """
    if not any(o.answerable for o in outcomes) or all(o.answerable for o in outcomes):
        return {"threshold": None, "abstention_f1": None, "balanced_accuracy": None}
    best = (-1.0, 0.0)
    for step in range(round(1 / CALIBRATION_STEP) + 1):
        threshold = round(step * CALIBRATION_STEP, 4)
        shifts = (-CALIBRATION_MARGIN, 0.0, CALIBRATION_MARGIN)
        score = sum(abstention_f1(outcomes, threshold + shift) for shift in shifts) / len(shifts)
        if score >= best[0] - 1e-12:
            best = (score, threshold)
    threshold = best[1]
    return {
        "threshold": threshold,
        "abstention_f1": round(abstention_f1(outcomes, threshold), 4),
        "balanced_accuracy": round(balanced_accuracy(outcomes, threshold), 4),
    }


def evaluate_questions(service: Any, path: Path) -> QuestionReport:
    """Ask every question of a set through ``service.ask`` and score the answers."""
    report = QuestionReport(name=path.name, threshold=service.settings.support_threshold)
    for question in load_questions(path):
        started = time.perf_counter()
        answer: Answer = service.ask(question.question, as_at=question.as_at)
        seconds = time.perf_counter() - started
        ranking_hits = answer.passages
        relevant_pages = {page_key(d, p): 1 for d, p in question.relevant}
        relevant_docs = {d: 1 for d, _ in question.relevant}
        report._relevant[question.id] = {"doc": relevant_docs, "page": relevant_pages}
        text = normalise(answer.answer)
        correct = [
            page_key(c.doc_id, c.page) in relevant_pages
            or c.doc_id in relevant_docs
            and c.page is None
            or any(normalise(f) in normalise(c.quote) for f in question.facts)
            for c in answer.citations
        ]
        report.outcomes.append(
            QuestionOutcome(
                id=question.id,
                answerable=question.answerable,
                abstained=answer.abstained,
                support=round(answer.support, 4),
                doc_ranking=unique_in_order(h.doc_id for h in ranking_hits),
                page_ranking=unique_in_order(page_key(h.doc_id, h.page) for h in ranking_hits),
                facts_found=sum(normalise(f) in text for f in question.facts),
                facts=len(question.facts),
                citations=len(answer.citations),
                citations_correct=sum(correct),
                seconds=round(seconds, 4),
                answer=answer.answer,
                facts_missed=[f for f in question.facts if normalise(f) not in text],
                cited=[
                    f"{page_key(c.doc_id, c.page)} {'ok' if ok else 'wrong'}"
                    for c, ok in zip(answer.citations, correct, strict=True)
                ],
            )
        )
    return report
