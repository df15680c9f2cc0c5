"""corpus/sources.toml, the list of real national documents, is well formed."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from corpus.source_document import DOC_TYPES

SOURCES = tomllib.loads((Path(__file__).resolve().parents[2] / "corpus" / "sources.toml").read_text("utf-8"))


def test_each_source_has_the_fields_the_downloader_needs() -> None:
    entries = SOURCES["sources"]
    assert len(entries) >= 8
    for entry in entries:
        assert {"title", "publisher", "doc_type", "published", "url", "licence"} <= entry.keys()
        assert entry["doc_type"] in DOC_TYPES, entry["title"]
        dt.date.fromisoformat(entry["published"])
        assert entry["url"].startswith("https://www.gov.uk/") or entry["url"].startswith(
            "https://assets.publishing.service.gov.uk/"
        ), entry["title"]


def test_kcsie_has_two_editions_in_one_series() -> None:
    titles = [s["title"] for s in SOURCES["sources"] if s.get("series") == "keeping-children-safe-in-education"]
    assert titles == ["Keeping children safe in education 2024", "Keeping children safe in education 2025"]
