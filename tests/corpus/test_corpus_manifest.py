"""The manifest and the documents folder agree, and every entry has valid metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from corpus.manifest import MANIFEST_NAME
from corpus.source_document import ACCESS_LEVELS, DOC_TYPES

REQUIRED_KEYS = {"file", "doc_id", "title", "doc_type", "publisher", "published", "area", "access"}


def test_defaults_table(manifest: dict) -> None:
    assert manifest["defaults"] == {
        "publisher": "Marshfield County Council",
        "area": "Marshfield",
        "access": "public",
    }


def test_manifest_lists_every_file_and_nothing_else(manifest: dict, documents_dir: Path) -> None:
    listed = sorted(entry["file"] for entry in manifest["documents"])
    on_disk = sorted(p.name for p in documents_dir.iterdir() if p.name != MANIFEST_NAME)
    assert listed == on_disk


def test_entries_have_valid_metadata(manifest: dict) -> None:
    doc_ids = [entry["doc_id"] for entry in manifest["documents"]]
    assert len(doc_ids) == len(set(doc_ids))
    for entry in manifest["documents"]:
        assert REQUIRED_KEYS <= entry.keys(), entry["file"]
        assert set(entry) <= REQUIRED_KEYS | {"series"}, entry["file"]
        assert entry["doc_type"] in DOC_TYPES, entry["file"]
        assert entry["access"] in ACCESS_LEVELS, entry["file"]
        assert dt.date.fromisoformat(entry["published"]) <= dt.date(2025, 12, 31), entry["file"]
        assert entry["file"].rsplit(".", 1)[0] == entry["doc_id"]


def test_one_document_is_internal(manifest: dict) -> None:
    internal = [e["doc_id"] for e in manifest["documents"] if e["access"] == "internal"]
    assert internal == ["mscp-practice-note-talking-with-children-hsb"]


def test_guidance_series_has_two_dated_editions(manifest: dict) -> None:
    editions = sorted(
        (e["published"], e["doc_id"])
        for e in manifest["documents"]
        if e.get("series") == "marshfield-schools-safeguarding-guidance"
    )
    assert editions == [
        ("2023-09-01", "marshfield-schools-safeguarding-guidance-2023"),
        ("2024-09-02", "marshfield-schools-safeguarding-guidance-2024"),
    ]
