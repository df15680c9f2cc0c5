"""Ingestion jobs on real files with the real model and store: reports, re-runs, changes, bad input."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfWriter

from ingest.benchmark.robustness import index_snapshot
from ingest.service import IngestService
from search.errors import JobTooLargeError, StoreLockedError
from search.models import SearchFilters
from search.service import SearchService
from search.store.embedded import EmbeddedStore
from tests.conftest import SAMPLE_CORPUS, settings_for


def test_sample_corpus_is_indexed_with_its_manifest_metadata(sample_settings):
    service = SearchService(sample_settings)
    documents = {doc.doc_id: doc for doc in service.documents()}
    assert len(documents) == 16
    review = documents["marshfield-mash-peer-on-peer-review-2020"]
    assert review.doc_type == "review"
    assert review.publisher == "Marshfield County Council"
    assert review.pages == 14
    assert documents["mscp-practice-note-talking-with-children-hsb"].access == "internal"
    assert service.check() == []


def test_reingesting_unchanged_files_changes_nothing(sample_copy, tmp_path, embedder):
    settings = settings_for(tmp_path / "store")
    service = IngestService(settings, embedder=embedder)
    first = service.ingest([sample_copy])
    assert len(first.added) == 3 and first.ok
    before = index_snapshot(settings)

    second = service.ingest([sample_copy])
    assert second.added == [] and second.updated == [] and len(second.unchanged) == 3
    assert index_snapshot(settings) == before


def test_changed_file_is_replaced_and_deleted_file_pruned(sample_copy, tmp_path, embedder):
    settings = settings_for(tmp_path / "store")
    service = IngestService(settings, embedder=embedder)
    service.ingest([sample_copy])
    search = SearchService(settings, embedder=embedder)

    statement = sample_copy / "marshfield-statement-mash-review-2020.html"
    statement.write_text(
        statement.read_text(encoding="utf-8").replace(
            "</main>", "<p>The council has appointed a zebra-crossing warden for Pelican Lane.</p></main>"
        ),
        encoding="utf-8",
    )
    (sample_copy / "mscp-mash-reaudit-2022.pdf").unlink()

    report = service.ingest([sample_copy], prune=True)
    assert report.updated == [str(statement.resolve())]
    assert report.removed == [str((sample_copy / "mscp-mash-reaudit-2022.pdf").resolve())]
    hits = search.search("zebra crossing warden Pelican Lane", top_k=1).hits
    assert hits[0].doc_id == "marshfield-statement-mash-review-2020"
    assert "zebra-crossing warden" in hits[0].text
    assert {doc.doc_id for doc in search.documents()} == {
        "marshfield-statement-mash-review-2020",
        "marshfield-missing-children-procedure-2022",
    }
    assert search.check() == []


def test_without_prune_a_deleted_file_stays_indexed(sample_copy, tmp_path, embedder):
    settings = settings_for(tmp_path / "store")
    service = IngestService(settings, embedder=embedder)
    service.ingest([sample_copy])
    (sample_copy / "mscp-mash-reaudit-2022.pdf").unlink()
    report = service.ingest([sample_copy])
    assert report.removed == []
    assert SearchService(settings).store.get_document("mscp-mash-reaudit-2022") is not None


def _bad_files(folder: Path) -> dict[str, str]:
    """Write one file of each kind of bad input; returns name -> expected reason fragment."""
    (folder / "empty.pdf").write_bytes(b"")
    real = (SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(real[: len(real) // 2])
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    with open(folder / "encrypted.pdf", "wb") as handle:
        writer.write(handle)
    blank = PdfWriter()
    blank.add_blank_page(width=595, height=842)
    with open(folder / "scanned.pdf", "wb") as handle:
        blank.write(handle)
    (folder / "figures.xlsx").write_bytes(b"PK\x03\x04 not really")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    (folder / "scripts.html").write_text(
        "<html><head><script>alert(1)</script><style>p{}</style></head><body><script>x()</script></body></html>"
    )
    (folder / "huge.md").write_text("# Big\n" + "word " * 400_000)
    return {
        "empty.pdf": "empty file",
        "truncated.pdf": "corrupt or truncated PDF",
        "encrypted.pdf": "encrypted PDF",
        "scanned.pdf": "no extractable text, probably scanned",
        "figures.xlsx": "unsupported file type '.xlsx'",
        "binary.txt": "undecodable text",
        "scripts.html": "no main text",
        "huge.md": "over the 1 MB limit",
    }


def test_each_bad_file_is_reported_and_the_index_is_kept(sample_copy, tmp_path, embedder):
    settings = settings_for(tmp_path / "store", max_file_mb=1)
    service = IngestService(settings, embedder=embedder)
    service.ingest([sample_copy])
    before = index_snapshot(settings)

    bad = tmp_path / "bad"
    bad.mkdir()
    expected = _bad_files(bad)
    report = service.ingest([bad, sample_copy])

    reasons = {Path(item.source).name: item.reason for item in report.failed}
    assert set(reasons) == set(expected)
    for name, fragment in expected.items():
        assert fragment in reasons[name], (name, reasons[name])
    assert len(report.unchanged) == 3
    assert index_snapshot(settings) == before
    assert SearchService(settings).check() == []


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path, embedder):
    settings = settings_for(tmp_path / "store")
    holder = EmbeddedStore(settings.data_dir, model=settings.model, dimension=384, writable=True)
    try:
        with pytest.raises(StoreLockedError, match="another ingest job .* is writing"):
            IngestService(settings, embedder=embedder).ingest([SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf"])
    finally:
        holder.close()


def test_a_job_over_the_file_limit_is_refused_before_it_writes(sample_copy, tmp_path, embedder):
    settings = settings_for(tmp_path / "store", max_files_per_job=2)
    with pytest.raises(JobTooLargeError, match="holds 3 files, over the limit of 2 .setting max_files_per_job."):
        IngestService(settings, embedder=embedder).ingest([sample_copy])
    assert not (settings.data_dir / "lessons.sqlite3").exists()


def test_missing_path_is_reported(tmp_path, embedder):
    report = IngestService(settings_for(tmp_path / "store"), embedder=embedder).ingest([tmp_path / "nowhere"])
    assert report.failed[0].reason.startswith("no such file or folder")


def test_sources_list_downloads_and_indexes_with_the_url_as_source(tmp_path, embedder):
    served = tmp_path / "site"
    served.mkdir()
    shutil.copy(SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf", served / "reaudit.pdf")
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'''
[[sources]]
title = "MASH re-audit (served locally)"
publisher = "Marshfield Safeguarding Children Partnership"
doc_type = "review"
published = "2022-06-30"
url = "{base}/reaudit.pdf"

[[sources]]
title = "Gone"
doc_type = "guidance"
url = "{base}/missing.pdf"
''',
        encoding="utf-8",
    )
    try:
        settings = settings_for(tmp_path / "store")
        report = IngestService(settings, embedder=embedder).ingest_sources(sources)
    finally:
        server.shutdown()
    assert report.added == [f"{base}/reaudit.pdf"]
    assert report.failed[0].source == f"{base}/missing.pdf" and "HTTP 404" in report.failed[0].reason
    documents = SearchService(settings).documents()
    assert [(d.title, d.source, d.published, d.doc_type) for d in documents] == [
        ("MASH re-audit (served locally)", f"{base}/reaudit.pdf", "2022-06-30", "review")
    ]
    hits = SearchService(settings, embedder=embedder).search(
        "re-audit", filters=SearchFilters(doc_types=("review",))
    ).hits
    assert hits and hits[0].source == f"{base}/reaudit.pdf"
