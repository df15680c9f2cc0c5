"""Benchmark figures: a value of ours beside the baseline's, and timing helpers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

Item = TypeVar("Item")


@dataclass(frozen=True)
class Figure:
    """One measured quantity for Lessons and, where it has one, for the baseline.

    ``ratio`` is ours / baseline: below 1 is better for times, above 1 for rates and scores.
    """

    name: str
    unit: str
    ours: float | None
    baseline: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """ours / baseline, or None when either is missing or the baseline is zero."""
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        ratio = self.ratio
        return {
            "unit": self.unit,
            "ours": _round(self.ours),
            "baseline": _round(self.baseline),
            "ratio": None if ratio is None else round(ratio, 4),
            **({"note": self.note} if self.note else {}),
        }


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 6) if abs(value) < 1 else round(value, 3)


def timed_calls(function: Callable[[Item], object], items: Iterable[Item]) -> list[float]:
    """Seconds each call of ``function`` took, one per item."""
    seconds = []
    for item in items:
        started = time.perf_counter()
        function(item)
        seconds.append(time.perf_counter() - started)
    return seconds


def milliseconds(seconds: list[float], percentile: float) -> float:
    """A percentile (50 for the median) of call times, in milliseconds."""
    return float(np.percentile(np.asarray(seconds) * 1000.0, percentile))


def render_table(figures: list[Figure]) -> str:
    """The figures as an aligned text table (name, unit, ours, baseline, ratio)."""
    rows = [("figure", "unit", "ours", "baseline", "ours/baseline")]
    for figure in figures:
        ratio = figure.ratio
        rows.append((
            figure.name, figure.unit, show_value(figure.ours), show_value(figure.baseline),
            "-" if ratio is None else f"{ratio:.3g}",
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = []
    for row in rows:
        lines.append("  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ))
    return "\n".join(lines)


def show_value(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"
