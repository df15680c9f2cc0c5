"""The long robustness runs of ``make bench``: kill -9 at random points, hostile files, concurrent load.

Kills: an ingest job on the sample corpus is killed with SIGKILL at a random moment, again and
again; after every kill the store must pass ``lessons check``, and whenever a job finally runs
to the end its index must equal that of an uninterrupted run.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ingest.benchmark.answers import sample_questions
from ingest.benchmark.figures import Figure
from ingest.benchmark.hostile_corpus import build_hostile_corpus
from ingest.benchmark.load import run_load
from ingest.service import IngestService
from search.embedding import Embedder
from search.service import SearchService
from search.settings import Settings, load_settings
from search.store.factory import open_store

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CORPUS = REPO / "corpus" / "documents"


def index_snapshot(settings: Settings) -> set[tuple[object, ...]]:
    """Everything a search can see: each passage's document, content hash, position, page and text."""
    store = open_store(settings, writable=False)
    try:
        return {
            (document.doc_id, document.content_hash, chunk.ordinal, chunk.page, chunk.text)
            for document in store.list_documents()
            for chunk in store.chunks_of(document.doc_id)
        }
    finally:
        store.close()


def _cli(data_dir: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "ui.cli", "--data-dir", str(data_dir), *arguments]


def _ingest(data_dir: Path, corpus: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        _cli(data_dir, "ingest", str(corpus)), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def kill_figures(kills: int, *, log: Callable[[str], None], seed: int = 11) -> list[Figure]:
    """Kill ingest jobs ``kills`` times at random moments; every store must check clean and converge."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="lessons-kills-") as work:
        reference_dir, target = Path(work) / "reference", Path(work) / "killed"
        started = time.perf_counter()
        subprocess.run(_cli(reference_dir, "ingest", str(SAMPLE_CORPUS)), cwd=REPO, check=True, capture_output=True)
        full_job = time.perf_counter() - started
        reference = index_snapshot(load_settings({"data_dir": reference_dir}, environ={}))
        settings = load_settings({"data_dir": target}, environ={})
        survived = completed = converged = failed_exits = 0
        for number in range(1, kills + 1):
            job = _ingest(target, SAMPLE_CORPUS)
            delay = rng.uniform(0.5, full_job * 0.9)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and job.poll() is None:
                time.sleep(0.05)
            if job.poll() is None:
                job.send_signal(signal.SIGKILL)
                job.wait()
            check = subprocess.run(_cli(target, "check"), cwd=REPO, capture_output=True, text=True)
            survived += check.returncode == 0
            outcome = "killed" if job.returncode == -signal.SIGKILL else f"exited with status {job.returncode}"
            failed_exits += job.returncode not in (0, -signal.SIGKILL)
            if job.returncode == 0:
                completed += 1  # the job ran to the end: its index must be the reference one
                same = index_snapshot(settings) == reference
                converged += same
                outcome = "finished, index " + ("equal to" if same else "DIFFERENT from") + " the reference"
                shutil.rmtree(target)  # start the next cycle from an empty store
            log(f"job {number}/{kills} ({delay:.1f} s): {outcome}; check {'ok' if check.returncode == 0 else 'FAILED'}")
        finish = subprocess.run(_cli(target, "ingest", str(SAMPLE_CORPUS)), cwd=REPO, capture_output=True)
        final_equal = finish.returncode == 0 and index_snapshot(settings) == reference
        log(
            f"final re-run: status {finish.returncode}, index {'equal to' if final_equal else 'DIFFERENT from'} the reference"
        )
    return [
        Figure(
            "kills: jobs killed with SIGKILL",
            "jobs",
            kills - completed - failed_exits,
            note=f"{completed} of {kills} jobs finished before their kill time; {failed_exits} exited with an error",
        ),
        Figure("kills: stores passing `lessons check` after a kill", "share", survived / kills),
        Figure(
            "kills: re-run equals the uninterrupted index",
            "share",
            (converged + final_equal) / (completed + 1),
            note="every completed job and the final re-run",
        ),
    ]


def hostile_figures(settings: Settings, embedder: Embedder, *, log: Callable[[str], None]) -> list[Figure]:
    """Ingest the hostile corpus: how many files were handled as they should be."""
    with tempfile.TemporaryDirectory(prefix="lessons-hostile-") as work:
        corpus = build_hostile_corpus(
            Path(work) / "docs", canary_url="http://127.0.0.1:9", max_pages=settings.max_pages
        )
        job_settings = load_settings({"data_dir": Path(work) / "store"}, environ={})
        report = IngestService(job_settings, embedder=embedder).ingest([corpus.folder])
        refused = {failure.source: failure.reason for failure in report.failed}
        handled = sum(
            refused.get(str(path.resolve()), "").lower().find(fragment.lower()) >= 0
            for path, fragment in corpus.bad.items()
        ) + len(set(report.added) & {str(path.resolve()) for path in corpus.good})
        store_text = "\n".join(chunk for _, _, _, _, chunk in index_snapshot(job_settings))  # type: ignore[misc]
        leaked = sum(marker in store_text for marker in corpus.forbidden)
    total = len(corpus.bad) + len(corpus.good)
    log(f"hostile: {handled} of {total} files handled as expected, {leaked} forbidden strings indexed")
    return [
        Figure(
            "hostile files handled as expected",
            "files",
            handled,
            total,
            note="baseline column = files tried; good files indexed clean, bad ones refused with their reason",
        ),
        Figure("hostile strings that reached the index", "strings", leaked, note="scripts, XXE secret, control bytes"),
    ]


def load_figures(
    settings: Settings, embedder: Embedder, *, clients: int, seconds: float, log: Callable[[str], None]
) -> list[Figure]:
    """Concurrent clients searching and asking on the sample corpus through one shared service."""
    with tempfile.TemporaryDirectory(prefix="lessons-load-") as work:
        store_settings = load_settings({"data_dir": Path(work) / "store"}, environ={})
        IngestService(store_settings, embedder=embedder).ingest([SAMPLE_CORPUS])
        service = SearchService(store_settings, embedder=embedder)
        try:
            load = run_load(service, sample_questions(), clients=clients, seconds=seconds)
        finally:
            service.close()
    log(f"load: {load.requests} requests, {load.errors} errors, p95 {load.p95_ms} ms")
    note = f"{clients} clients for {load.seconds} s, 1 in 4 requests an answer"
    return [
        Figure("load: requests per second", "req/s", load.throughput_per_s, note=note),
        Figure("load: p50 / p95 latency", "ms", load.p50_ms, note=f"p95 {load.p95_ms} ms"),
        Figure("load: errors", "requests", load.errors, note=f"of {load.requests}"),
        Figure(
            "load: memory growth after warm-up",
            "MB",
            load.rss_mb_at_end - load.rss_mb_after_warm_up,
            note=f"peak RSS {load.rss_mb_at_end} MB",
        ),
    ]
