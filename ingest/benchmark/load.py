"""Concurrent load: many clients searching and asking at once through one shared service.

This is how the Streamlit app runs (one cached SearchService per process, one thread per
browser session), so it is what must hold under load: no errors, steady latency, and memory
that stops growing once the caches are warm.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from search.service import SearchService


@dataclass(frozen=True)
class LoadFigures:
    """What a load run measured."""

    clients: int
    seconds: float
    requests: int
    errors: int
    throughput_per_s: float
    p50_ms: float
    p95_ms: float
    rss_mb_after_warm_up: float
    rss_mb_at_end: float
    first_errors: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The figures for bench.json."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_load(
    service: SearchService, questions: Sequence[str], *, clients: int, seconds: float, ask_every: int = 4
) -> LoadFigures:
    """Run ``clients`` threads for ``seconds``, each cycling through ``questions``.

    Every ``ask_every``-th request of a client is an answer (``ask``); the others are hybrid
    searches. One warm-up round runs first so model loading is not counted as growth.
    Returns LoadFigures; errors are counted and the first few kept, never raised.
    """
    for question in questions[:2]:
        service.search(question)
        service.ask(question)
    warm_rss = _rss_mb()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        calls: list[Callable[[str], object]] = [service.search] * (ask_every - 1) + [service.ask]
        count = number
        while time.monotonic() < stop:
            question = questions[count % len(questions)]
            call = calls[count % len(calls)]
            count += 1
            started = time.perf_counter()
            try:
                call(question)
            except Exception as exc:  # counted, not raised: the figure is how many failed
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    timings = np.array(latencies) * 1000 if latencies else np.array([0.0])
    return LoadFigures(
        clients=clients,
        seconds=round(elapsed, 2),
        requests=len(latencies) + len(errors),
        errors=len(errors),
        throughput_per_s=round(len(latencies) / elapsed, 2),
        p50_ms=round(float(np.percentile(timings, 50)), 1),
        p95_ms=round(float(np.percentile(timings, 95)), 1),
        rss_mb_after_warm_up=round(warm_rss, 1),
        rss_mb_at_end=round(_rss_mb(), 1),
        first_errors=tuple(errors[:5]),
    )
