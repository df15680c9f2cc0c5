"""The sync that keeps the register up to date with the store: idempotent, crash-safe, one bad document at a time.

The store here is the real sample store seen through a view that shows only some of its documents
(a fake of the plumbing only: page texts and records come from the real store).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest.recommendations.sync as sync_module
from ingest.recommendations.sync import sync_register
from search.recommendations.register import Register, register_path
from search.store.factory import open_store
from tests.conftest import settings_for

SOME = (
    "marshfield-lscb-mash-audit-2016",
    "marshfield-mash-peer-on-peer-review-2020",
    "marshfield-scrutiny-report-peer-on-peer-2020",
    "marshfield-cabinet-response-scrutiny-2020",
)


class ShownDocuments:
    """The sample store, showing only ``doc_ids`` (read methods of the ChunkStore protocol the sync uses)."""

    def __init__(self, store, doc_ids) -> None:
        self.store = store
        self.doc_ids = set(doc_ids)

    def list_documents(self):
        return [document for document in self.store.list_documents() if document.doc_id in self.doc_ids]

    def page_text(self, doc_id, page):
        return self.store.page_text(doc_id, page) if doc_id in self.doc_ids else None


@pytest.fixture(scope="module")
def sample_store(sample_settings):
    store = open_store(sample_settings, writable=False)
    yield store
    store.close()


def snapshot(data_dir: Path) -> dict[str, object]:
    register = Register(register_path(data_dir))
    try:
        records = register.recommendations()
        return {
            "records": [(r.id, r.text, r.page, r.page_end, r.themes) for r in records],
            "events": [(e.rec_id, e.status, e.doc_id, e.evidence) for e in register.events()],
            "groups": sorted(register.groups().items()),
        }
    finally:
        register.close()


def test_sync_builds_then_changes_nothing_then_drops_what_left(tmp_path, sample_store, embedder):
    settings = settings_for(tmp_path)
    first = sync_register(ShownDocuments(sample_store, SOME), settings, lambda: embedder)
    assert (first.documents_read, first.recommendations) == (4, 24)
    built = snapshot(tmp_path)
    assert (
        "marshfield-scrutiny-report-peer-on-peer-2020:R7",
        "rejected",
        "marshfield-cabinet-response-scrutiny-2020",
    ) in [event[:3] for event in built["events"]]

    again = sync_register(ShownDocuments(sample_store, SOME), settings, lambda: pytest.fail("nothing to embed"))
    assert again.documents_read == 0 and snapshot(tmp_path) == built

    fewer = sync_register(ShownDocuments(sample_store, SOME[:3]), settings, lambda: embedder)
    assert (fewer.documents_removed, fewer.documents_read) == (1, 0)
    after = snapshot(tmp_path)
    assert [r for r in after["records"]] == built["records"]  # the cabinet response made none
    assert not [e for e in after["events"] if e[2] == "marshfield-cabinet-response-scrutiny-2020"]


def test_a_killed_sync_run_again_converges(tmp_path, sample_store, embedder, monkeypatch):
    clean_dir, killed_dir = tmp_path / "clean", tmp_path / "killed"
    sync_register(ShownDocuments(sample_store, SOME), settings_for(clean_dir), lambda: embedder)

    real_read = sync_module._read_document
    calls = []

    def killed_after_two(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt  # what a killed job looks like from inside
        calls.append(args[3].doc_id)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(sync_module, "_read_document", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        sync_register(ShownDocuments(sample_store, SOME), settings_for(killed_dir), lambda: embedder)
    monkeypatch.setattr(sync_module, "_read_document", real_read)

    resumed = sync_register(ShownDocuments(sample_store, SOME), settings_for(killed_dir), lambda: embedder)
    assert resumed.documents_read == 2  # the two read before the kill were kept
    assert snapshot(killed_dir) == snapshot(clean_dir)


def test_one_unreadable_document_does_not_stop_the_sync(tmp_path, sample_store, embedder, monkeypatch):
    real_read = sync_module._read_document

    def fails_on_the_review(*args, **kwargs):
        if args[3].doc_id == "marshfield-mash-peer-on-peer-review-2020":
            raise ValueError("a layout nobody foresaw")
        return real_read(*args, **kwargs)

    monkeypatch.setattr(sync_module, "_read_document", fails_on_the_review)
    report = sync_register(ShownDocuments(sample_store, SOME), settings_for(tmp_path), lambda: embedder)
    assert report.documents_read == 3 and len(report.failed) == 1
    assert (
        "a layout nobody foresaw" in report.failed[0].reason
        and "the document itself is indexed" in report.failed[0].reason
    )
    assert report.recommendations == 13  # the audit's 6 and the scrutiny report's 7


def test_an_unchanged_sync_derives_nothing_again_but_a_sync_killed_while_deriving_does(
    tmp_path, sample_store, embedder, monkeypatch
):
    clean_dir, killed_dir = tmp_path / "clean", tmp_path / "killed"
    built = sync_register(ShownDocuments(sample_store, SOME), settings_for(clean_dir), lambda: embedder)

    real_group = sync_module.group_recommendations
    monkeypatch.setattr(sync_module, "group_recommendations", lambda *a, **k: pytest.fail("derived again"))
    again = sync_register(ShownDocuments(sample_store, SOME), settings_for(clean_dir), lambda: embedder)
    assert (again.documents_read, again.recommendations, again.recurring, again.status_links) == (
        0, built.recommendations, built.recurring, built.status_links,
    )

    # Killed after the documents were read, while the events and groups were being derived.
    monkeypatch.setattr(sync_module, "group_recommendations", real_group)
    sync_register(ShownDocuments(sample_store, SOME[:3]), settings_for(killed_dir), lambda: embedder)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sync_module, "group_recommendations", killed)
    with pytest.raises(KeyboardInterrupt):
        sync_register(ShownDocuments(sample_store, SOME), settings_for(killed_dir), lambda: embedder)
    monkeypatch.setattr(sync_module, "group_recommendations", real_group)
    resumed = sync_register(ShownDocuments(sample_store, SOME), settings_for(killed_dir), lambda: embedder)
    assert resumed.documents_read == 0
    assert (resumed.recommendations, resumed.recurring, resumed.status_links) == (
        built.recommendations, built.recurring, built.status_links,
    )
    assert snapshot(killed_dir) == snapshot(clean_dir)
