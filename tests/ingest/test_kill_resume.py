"""A job killed with SIGKILL part-way leaves a readable store, and a re-run completes it exactly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from ingest.benchmark.robustness import index_snapshot
from search.service import SearchService
from tests.conftest import REPO, SAMPLE_CORPUS, settings_for


def _documents_written(data_dir) -> int:
    database = data_dir / "lessons.sqlite3"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _ingest_command(data_dir):
    return [sys.executable, "-m", "ui.cli", "--data-dir", str(data_dir), "ingest", str(SAMPLE_CORPUS)]


def _run_and_kill_after(data_dir, documents: int) -> None:
    process = subprocess.Popen(
        _ingest_command(data_dir), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while _documents_written(data_dir) < documents and process.poll() is None:
        assert time.monotonic() < deadline, "the ingest job made no progress"
        time.sleep(0.05)
    assert process.poll() is None, "the job finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_killed_jobs_rerun_to_the_same_index_as_an_uninterrupted_run(tmp_path, sample_settings):
    settings = settings_for(tmp_path / "store")
    for written in (2, 9):
        _run_and_kill_after(settings.data_dir, written)
        # The store opens and serves what was written, with no half-written document.
        service = SearchService(settings)
        assert len(service.documents()) >= written
        hits = service.search("MASH", mode="keyword").hits
        assert all(hit.doc_id in {d.doc_id for d in service.documents()} for hit in hits)
        service.close()

    finished = subprocess.run(_ingest_command(settings.data_dir), cwd=REPO, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert "0 failed" in finished.stdout

    assert index_snapshot(settings) == index_snapshot(sample_settings)
    check = subprocess.run(
        [sys.executable, "-m", "ui.cli", "--data-dir", str(settings.data_dir), "check"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stderr
