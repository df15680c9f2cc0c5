"""Cold start: from spawning a fresh process to its first hybrid search result, and the memory it took.

A child Python process opens the store through ``SearchService`` and runs one hybrid search; the
parent times it from spawn to the line the child prints with the result. The child also reports
when each phase ended (interpreter up, imports, store open, model loaded, first search) and its
peak resident memory (VmHWM). The floor beside it is a process that only imports Lessons' core package
and Haystack (PyTorch stays unloaded: see ``search.deferred_imports``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.benchmark.figures import Figure, render_table

REPOSITORY = Path(__file__).resolve().parents[2]
PHASES = ("interpreter", "imports", "store open", "model loaded", "first search")

_PEAK = """
import resource


def peak_kb():
    # VmHWM belongs to this program; ru_maxrss would also count the parent's memory at fork time.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_CHILD = _PEAK + """
import json, sys, time
spawned = float(sys.argv[1])
marks = {"interpreter": time.time() - spawned}
from search.service import SearchService
from search.settings import load_settings
marks["imports"] = time.time() - spawned
service = SearchService(load_settings())
service.store
marks["store open"] = time.time() - spawned
service.embedder.warm_up()
marks["model loaded"] = time.time() - spawned
hits = service.search(sys.argv[2], top_k=1).hits
marks["first search"] = time.time() - spawned
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"marks": marks, "doc_id": hits[0].doc_id if hits else None, "peak_rss_kb": peak_kb(),
                  "cpu_s": usage.ru_utime + usage.ru_stime}), flush=True)
"""

_FLOOR = _PEAK + """
import json, sys, time
spawned = float(sys.argv[1])
import search, haystack
seconds = time.time() - spawned
print(json.dumps({"seconds": seconds, "peak_rss_kb": peak_kb()}), flush=True)
"""


@dataclass(frozen=True)
class ColdStart:
    """Medians over the runs: seconds to the first result, seconds at the end of each phase, peak memory,
    and the CPU seconds the process used (what the wall time would be on an idle machine, threads aside)."""

    seconds: float
    cpu_seconds: float
    phases: dict[str, float]
    peak_rss_mb: float
    doc_id: str | None
    runs: int


def _spawn(script: str, arguments: list[str], environment: Mapping[str, str]) -> tuple[float, str]:
    """Run ``script`` in a fresh interpreter; returns (seconds from spawn to its first line, that line)."""
    spawned = time.time()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", script, repr(spawned), *arguments],
        cwd=REPOSITORY,
        env={**os.environ, **environment},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    seconds = time.perf_counter() - started
    _, errors = process.communicate()
    if process.returncode != 0 or not line.strip():
        raise RuntimeError(f"the cold-start process failed (exit {process.returncode}): {errors.strip()[-2000:]}")
    return seconds, line


def measure_cold_start(
    data_dir: Path, query: str, *, runs: int = 3, environment: Mapping[str, str] | None = None
) -> ColdStart:
    """Start ``runs`` fresh processes that open the store in ``data_dir`` and answer ``query`` (hybrid).

    ``environment`` adds ``LESSONS_*`` settings for the child (the data folder is set here).
    Raises RuntimeError with the child's error output when it fails.
    """
    child_environment = {**(environment or {}), "LESSONS_DATA_DIR": str(data_dir)}
    seconds, cpu, peaks, phases, doc_id = [], [], [], [], None
    for _ in range(runs):
        taken, line = _spawn(_CHILD, [query], child_environment)
        result = json.loads(line)
        seconds.append(taken)
        cpu.append(result["cpu_s"])
        peaks.append(result["peak_rss_kb"] / 1024)
        phases.append(result["marks"])
        doc_id = result["doc_id"]
    return ColdStart(
        seconds=statistics.median(seconds),
        cpu_seconds=statistics.median(cpu),
        phases={name: statistics.median(run[name] for run in phases) for name in PHASES},
        peak_rss_mb=statistics.median(peaks),
        doc_id=doc_id,
        runs=runs,
    )


def import_floor(runs: int = 3) -> tuple[float, float]:
    """Medians of (seconds, peak MB) for a fresh interpreter that only imports Haystack (and with it PyTorch)."""
    results = [json.loads(_spawn(_FLOOR, [], {})[1]) for _ in range(runs)]
    return (
        statistics.median(result["seconds"] for result in results),
        statistics.median(result["peak_rss_kb"] / 1024 for result in results),
    )


def cold_start_figures(
    data_dir: Path, chunks: int, query: str, *, runs: int = 3, environment: Mapping[str, str] | None = None
) -> list[Figure]:
    """The cold-start time and memory of the store in ``data_dir`` (holding ``chunks`` passages), and the floor."""
    measured = measure_cold_start(data_dir, query, runs=runs, environment=environment)
    ends = measured.phases
    steps = ", ".join(
        f"{name} {ends[name] - (ends[PHASES[i - 1]] if i else 0.0):.2f} s" for i, name in enumerate(PHASES)
    )
    floor_seconds, floor_mb = import_floor(runs)
    return [
        Figure(
            f"cold start: open + first hybrid search @{chunks:,}",
            "s",
            measured.seconds,
            note=f"fresh process to first result, median of {measured.runs}; phases: {steps}; "
            f"{measured.cpu_seconds:.2f} CPU s",
        ),
        Figure(
            f"memory after first search @{chunks:,}",
            "MB",
            measured.peak_rss_mb,
            note=f"peak resident set of that process (vectors are memory-mapped: pages read count); "
            f"{floor_mb:.0f} MB of it is Python with Lessons and Haystack imported (PyTorch not loaded)",
        ),
        Figure(
            "cold start floor: python + import haystack",
            "s",
            floor_seconds,
            note=f"a process that only imports Lessons and Haystack (PyTorch deferred) ({floor_mb:.0f} MB)",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    """``python -m ingest.benchmark.cold_start``: build a synthetic store (or use one) and print the figures."""
    from ingest.benchmark.answers import write_synthetic_store
    from ingest.benchmark.reingest import sample_paragraphs
    from ingest.benchmark.synthetic import SyntheticCorpus
    from search.embedding import Embedder
    from search.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m ingest.benchmark.cold_start", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="Folder to work in.")
    parser.add_argument("--chunks", type=int, default=300_000, help="Synthetic passages in the store.")
    parser.add_argument("--store", type=Path, help="Use this store instead of building one (kept afterwards).")
    parser.add_argument("--runs", type=int, default=3, help="Processes started (the median is kept).")
    parser.add_argument("--query", default="information sharing with the police when a child goes missing")
    options = parser.parse_args(argv)
    settings = load_settings({"data_dir": options.out / "unused-store"})
    Embedder(settings).warm_up()  # a first use may export the model: that is not a cold start
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    store = options.store or options.out / "cold-start-store"
    chunks = options.chunks
    try:
        if options.store is None:
            log(f"cold start: writing {chunks:,} synthetic passages")
            chunks = write_synthetic_store(store, SyntheticCorpus(sample_paragraphs()), chunks, settings.model)
        log("cold start: timing fresh processes")
        figures = cold_start_figures(store, chunks, options.query, runs=options.runs)
    finally:
        if options.store is None:
            shutil.rmtree(store, ignore_errors=True)
    print(render_table(figures))
    for figure in figures:
        print(f"- {figure.name}: {figure.note}")


if __name__ == "__main__":
    main()
