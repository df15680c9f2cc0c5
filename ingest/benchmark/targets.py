"""The speed targets of the project, checked against the figures of one benchmark run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ingest.benchmark.figures import Figure, show_value


@dataclass(frozen=True)
class Target:
    """A goal on one figure: its name, the goal in words, and the test of the figure."""

    figure: str
    goal: str
    met: Callable[[Figure, Mapping[str, Figure]], bool]


def at_least(value: float) -> Callable[[Figure, Mapping[str, Figure]], bool]:
    """Met when ours is ``value`` or more."""
    return lambda figure, _: figure.ours is not None and figure.ours >= value


def at_most(value: float) -> Callable[[Figure, Mapping[str, Figure]], bool]:
    """Met when ours is ``value`` or less."""
    return lambda figure, _: figure.ours is not None and figure.ours <= value


def ratio_at_most(value: float) -> Callable[[Figure, Mapping[str, Figure]], bool]:
    """Met when ours / baseline is ``value`` or less (times: ``1 / value`` times faster)."""
    return lambda figure, _: figure.ratio is not None and figure.ratio <= value


def drop_at_most(value: float) -> Callable[[Figure, Mapping[str, Figure]], bool]:
    """Met when ours is at most ``value`` below the baseline (scores)."""
    return lambda figure, _: None not in (figure.ours, figure.baseline) and figure.baseline - figure.ours <= value  # type: ignore[operator]


TARGETS = (
    Target("ingest end to end, ~128-token chunks", ">= 150 chunks/s", at_least(150)),
    Target("ingest end to end, ~256-token chunks", ">= 75 chunks/s", at_least(75)),
    Target("scifact semantic nDCG@10, onnx-int8 vs float32", "drop <= 0.005", drop_at_most(0.005)),
    Target("arguana semantic nDCG@10, onnx-int8 vs float32", "drop <= 0.005", drop_at_most(0.005)),
    Target("query hybrid incl. query embedding p95 @300,000", "<= 50 ms", at_most(50)),
    Target("query hybrid p95 @100,000", ">= 10x faster than InMemory", ratio_at_most(0.1)),
    Target("ANN vector search p95 @1,000,000", "sublinear: < 10x the p95 at 100k", lambda figure, figures: (
        "ANN vector search p95 @100,000" in figures and figure.ours is not None
        and figure.ours < 10 * (figures["ANN vector search p95 @100,000"].ours or 0))),
    Target("ANN recall@10 @300,000", ">= 0.98 against exact", at_least(0.98)),
    Target("ANN recall@10 @1,000,000", ">= 0.98 against exact", at_least(0.98)),
    Target("answer extractive p95 @300,000", "<= 300 ms", at_most(300)),
    Target("cold start: open + first hybrid search @300,000", "<= 3 s", at_most(3)),
    Target("memory after first search @300,000", "reported", lambda figure, _: figure.ours is not None),
    Target("re-ingest 1,000 unchanged documents", "< 10 s", at_most(10)),
)


def render_targets(figures: Mapping[str, Figure], targets: tuple[Target, ...] = TARGETS) -> str:
    """A table of each target: the figure, its goal, ours, the baseline, the ratio, and met / missed."""
    rows = [("target", "goal", "ours", "baseline", "ratio", "met")]
    for target in targets:
        figure = figures.get(target.figure)
        if figure is None:
            rows.append((target.figure, target.goal, "not measured", "-", "-", "-"))
            continue
        ratio = figure.ratio
        rows.append((
            target.figure, target.goal, f"{show_value(figure.ours)} {figure.unit}", show_value(figure.baseline),
            "-" if ratio is None else f"{ratio:.3g}", "yes" if target.met(figure, figures) else "NO",
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)
