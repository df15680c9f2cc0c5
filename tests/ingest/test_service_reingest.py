"""Re-ingesting: unchanged files are neither read nor parsed nor embedded; what changed is always found.

Real files (Markdown, text and PDFs made by the re-ingest benchmark's generator), the real model
and the real store. Spies count calls to the real functions; nothing is faked.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

import ingest.file_stamps as file_stamps
import ingest.preparation as preparation
from ingest.benchmark.reingest import touch_all, write_corpus
from ingest.service import IngestService
from search.service import SearchService
from search.store.factory import open_store
from tests.conftest import settings_for


class Calls:
    """Counts the calls of a real function it wraps."""

    def __init__(self, function):
        self.function = function
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1
        return self.function(*args, **kwargs)


@pytest.fixture()
def spies(monkeypatch, embedder):
    """Call counters on hashing, parsing and embedding."""
    counters = {
        "hashed": Calls(preparation.fingerprint),
        "parsed": Calls(preparation.FilePreparer.parse),
        "embedded": Calls(embedder.embed_passages),
    }
    monkeypatch.setattr(preparation, "fingerprint", counters["hashed"])
    monkeypatch.setattr(preparation.FilePreparer, "parse", lambda self, prepared: counters["parsed"](self, prepared))
    monkeypatch.setattr(embedder, "embed_passages", counters["embedded"])
    return counters


@pytest.fixture()
def no_racy_window(monkeypatch):
    """Trust stamps of files written moments ago (the tests write their files just before ingesting)."""
    monkeypatch.setattr(file_stamps, "RACY_WINDOW_NS", 0)


def _counts(spies) -> dict[str, int]:
    return {name: calls.count for name, calls in spies.items()}


def _reset(spies) -> None:
    for calls in spies.values():
        calls.count = 0


@pytest.fixture()
def corpus(tmp_path) -> list[Path]:
    return write_corpus(tmp_path / "docs", 8, seed=5, pdf_share=0.3)


def test_unchanged_files_are_not_read_parsed_or_embedded(corpus, tmp_path, embedder, spies, no_racy_window):
    settings = settings_for(tmp_path / "store")
    service = IngestService(settings, embedder=embedder)
    first = service.ingest([corpus[0].parent])
    assert len(first.added) == 8 and first.ok
    assert _counts(spies)["parsed"] == 8 and _counts(spies)["embedded"] >= 8
    _reset(spies)

    again = service.ingest([corpus[0].parent])
    assert len(again.unchanged) == 8 and again.added == again.updated == again.failed == []
    assert _counts(spies) == {"hashed": 0, "parsed": 0, "embedded": 0}
    assert again.register.recommendations == first.register.recommendations

    # Touched, same bytes: read and hashed once, still unchanged, then trusted again.
    _reset(spies)
    touch_all(corpus)
    touched = service.ingest([corpus[0].parent])
    assert len(touched.unchanged) == 8
    assert _counts(spies) == {"hashed": 8, "parsed": 0, "embedded": 0}
    _reset(spies)
    assert len(service.ingest([corpus[0].parent]).unchanged) == 8
    assert _counts(spies) == {"hashed": 0, "parsed": 0, "embedded": 0}


def test_changed_bytes_overrides_and_chunking_are_each_reindexed(corpus, tmp_path, embedder, spies, no_racy_window):
    settings = settings_for(tmp_path / "store")
    folder = corpus[0].parent
    IngestService(settings, embedder=embedder).ingest([folder])

    text = next(path for path in corpus if path.suffix == ".md")
    text.write_text(text.read_text(encoding="utf-8") + "\nA heron was seen nesting on the council roof.\n")
    other = next(path for path in corpus if path.suffix == ".pdf")
    (other.parent / (other.name + ".meta.toml")).write_text('title = "The renamed review"\n')
    _reset(spies)
    report = IngestService(settings, embedder=embedder).ingest([folder])
    assert sorted(report.updated) == sorted([str(text), str(other)])
    assert len(report.unchanged) == 6
    assert _counts(spies)["parsed"] == 2
    search = SearchService(settings, embedder=embedder)
    assert "heron" in search.search("heron nesting on the council roof", top_k=1).hits[0].text
    assert search.store.document_for_source(str(other)).title == "The renamed review"

    rechunked = settings_for(tmp_path / "store", chunk_target_words=60, chunk_max_words=90)
    _reset(spies)
    report = IngestService(rechunked, embedder=embedder).ingest([folder])
    assert len(report.updated) == 8 and _counts(spies)["parsed"] == 8


def test_the_store_stays_the_truth_when_stamps_disagree(corpus, tmp_path, embedder, no_racy_window):
    settings = settings_for(tmp_path / "store")
    folder = corpus[0].parent
    service = IngestService(settings, embedder=embedder)
    service.ingest([folder])
    store = open_store(settings, writable=True)
    try:
        gone = store.document_for_source(str(corpus[3]))
        store.delete_document(gone.doc_id)
        store.flush()
    finally:
        store.close()
    report = service.ingest([folder])
    assert report.added == [str(corpus[3])] and len(report.unchanged) == 7

    # A damaged stamps file is a lost cache, never a lost index.
    (settings.data_dir / file_stamps.STAMPS_FILE).write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        (settings.data_dir / (file_stamps.STAMPS_FILE + suffix)).unlink(missing_ok=True)
    report = service.ingest([folder])
    assert len(report.unchanged) == 8 and report.ok


def test_a_file_rewritten_with_the_same_size_and_modification_time_is_found(corpus, tmp_path, embedder, spies):
    # Without the no_racy_window fixture: the files were written just now, so their stamps are not trusted.
    settings = settings_for(tmp_path / "store")
    service = IngestService(settings, embedder=embedder)
    service.ingest([corpus[0].parent])
    path = next(p for p in corpus if p.suffix == ".txt")
    stat = path.stat()
    # Same size and the same modification time as when indexed, different bytes (a coarse clock).
    path.write_bytes(path.read_bytes().replace(b"Reference", b"Referenze"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    report = service.ingest([corpus[0].parent])
    assert report.updated == [str(path)]


def test_hashing_every_file_when_file_times_are_not_trusted(corpus, tmp_path, embedder, spies, no_racy_window):
    settings = settings_for(tmp_path / "store")
    IngestService(settings, embedder=embedder).ingest([corpus[0].parent])
    _reset(spies)
    report = IngestService(replace(settings, trust_file_times=False), embedder=embedder).ingest([corpus[0].parent])
    assert len(report.unchanged) == 8
    assert _counts(spies) == {"hashed": 8, "parsed": 0, "embedded": 0}


def test_parsing_ahead_keeps_order_reports_bad_files_and_matches_one_at_a_time(tmp_path, embedder):
    folder = tmp_path / "docs"
    paths = write_corpus(folder, 6, seed=9, pdf_share=0.5)
    (folder / "review-0003b.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    (folder / "review-0004b.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    expected_order = sorted([*map(str, paths), str(folder / "review-0003b.pdf"), str(folder / "review-0004b.txt")])

    reports, outcomes = {}, {}
    for ahead in (2, 0):
        seen = []
        settings = settings_for(tmp_path / f"store-{ahead}", ingest_prefetch=ahead)
        report = IngestService(settings, embedder=embedder).ingest([folder], progress=seen.append)
        assert [step.source for step in seen] == expected_order
        assert [step.done for step in seen] == list(range(1, 9))
        reports[ahead] = {key: value for key, value in report.as_dict().items() if key != "seconds"}
        outcomes[ahead] = [(Path(step.source).name, step.outcome) for step in seen]
        hits = SearchService(settings, embedder=embedder).search("Reference LSN-00004", mode="keyword", top_k=1).hits
        assert hits[0].doc_id == "review-0004"
    assert reports[2] == reports[0]
    assert outcomes[2] == outcomes[0]
    assert ("review-0003b.pdf", "failed") in outcomes[2] and ("review-0004b.txt", "failed") in outcomes[2]
    failed = {Path(item["source"]).name: item["reason"] for item in reports[2]["failed"]}
    assert "corrupt or truncated PDF" in failed["review-0003b.pdf"]
    assert "undecodable text" in failed["review-0004b.txt"]
    assert len(reports[2]["added"]) == 6


def test_the_same_name_in_two_folders_gets_two_ids_when_parsed_ahead(tmp_path, embedder):
    for name in ("north", "south"):
        folder = tmp_path / "docs" / name
        folder.mkdir(parents=True)
        (folder / "annual-report.md").write_text(
            f"# Annual report of the {name} team\n\nThe {name} team met monthly.\n"
        )
    settings = settings_for(tmp_path / "store", ingest_prefetch=2)
    report = IngestService(settings, embedder=embedder).ingest([tmp_path / "docs"])
    assert len(report.added) == 2
    documents = {doc.source: doc.doc_id for doc in SearchService(settings).documents()}
    north = documents[str((tmp_path / "docs" / "north" / "annual-report.md").resolve())]
    south = documents[str((tmp_path / "docs" / "south" / "annual-report.md").resolve())]
    assert north == "annual-report" and south.startswith("annual-report-") and south != north
    chunks = SearchService(settings).store.chunks_of(south)
    assert chunks and all(chunk.doc_id == south for chunk in chunks)


def test_an_unchanged_job_writes_nothing_to_the_indexes(corpus, tmp_path, embedder, no_racy_window):
    settings = settings_for(tmp_path / "store")
    service = IngestService(settings, embedder=embedder)
    service.ingest([corpus[0].parent])
    state = settings.data_dir / "vectors" / "state.json"
    before = state.stat().st_mtime_ns
    time.sleep(0.01)
    assert len(service.ingest([corpus[0].parent]).unchanged) == 8
    assert state.stat().st_mtime_ns == before
