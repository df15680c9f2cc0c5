"""Searches keep working while an ingest job writes, and never see half a document."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from search.embedding import Embedder
from search.service import SearchService
from search.store.factory import open_store
from tests.conftest import REPO, SAMPLE_CORPUS, settings_for

# Enough documents to give the readers time to search while the job writes, few enough to stay quick.
JOB = (
    "marshfield-mash-peer-on-peer-review-2020.pdf",
    "mscp-harmful-sexual-behaviour-procedure-2021.pdf",
    "marshfield-missing-children-procedure-2022.docx",
    "marshfield-schools-safeguarding-guidance-2024.pdf",
    "mscp-mash-reaudit-2022.pdf",
)
QUERIES = ("MASH referral recording", "harmful sexual behaviour", "missing children", "designated safeguarding lead")


def _job(data_dir, names=JOB) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ui.cli",
        "--data-dir",
        str(data_dir),
        "ingest",
        *(str(SAMPLE_CORPUS / name) for name in names),
    ]


def test_readers_work_and_see_whole_documents_during_an_ingest(tmp_path, embedder: Embedder) -> None:
    settings = settings_for(tmp_path / "store")
    job = subprocess.Popen(
        _job(settings.data_dir),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[str] = []
    searches = 0
    seen_documents: set[str] = set()
    while job.poll() is None:
        if not (settings.data_dir / "lessons.sqlite3").exists():
            time.sleep(0.1)
            continue
        service = SearchService(settings, embedder=embedder)
        try:
            for query in QUERIES:
                hits = service.search(query, mode="keyword").hits
                searches += 1
                for doc_id in {hit.doc_id for hit in hits}:
                    record = service.document(doc_id)
                    stored = len(service.store.chunks_of(doc_id))
                    if stored != record.chunks:
                        errors.append(f"{doc_id}: record says {record.chunks} passages, store holds {stored}")
                    seen_documents.add(doc_id)
        except Exception as exc:  # any failure of a reader during the job is the bug under test
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            service.close()
    _, stderr = job.communicate()
    assert job.returncode == 0, stderr
    assert errors == []
    assert searches >= 4, "the readers did not get to search while the job ran"
    assert len(seen_documents) >= 3
    store = open_store(settings, writable=False)
    try:
        assert store.integrity_problems() == []
    finally:
        store.close()


def test_one_service_serves_threads_while_a_job_writes(tmp_path, embedder: Embedder) -> None:
    settings = settings_for(tmp_path / "store")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.cli",
            "--data-dir",
            str(settings.data_dir),
            "ingest",
            str(SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf"),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    service = SearchService(settings, embedder=embedder)
    errors: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                assert service.search("re-audit of MASH recording").hits
                time.sleep(0.1)  # a person's pace, so the job is not starved of both cores
            except Exception as exc:  # collected for the assertion below
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        job = subprocess.run(_job(settings.data_dir, JOB[:2]), cwd=REPO, capture_output=True, text=True)
    finally:
        done.set()
        for thread in threads:
            thread.join()
        service.close()
    assert job.returncode == 0, job.stderr
    assert errors == []
