"""Fixtures of the app's tests: copies of the sample store the app may write to, and the app itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.service import IngestService
from search.settings import Settings
from tests.conftest import REPO, settings_for

APP = REPO / "ui" / "app.py"
HOSTILE_TITLE = "Hostile note for the Lantern display test"
HOSTILE_NOTE = f"""# {HOSTILE_TITLE}

This fictional note checks how documents are shown. The Lantern respite review says
<script>window.lessonsHacked = true;</script> staff must read **this** as plain text,
[not a link](https://example.org/phish) and $5 not $maths$, :red[not red].
"""


def copy_store(source: Settings, target: Path) -> Settings:
    """Settings for a copy of ``source``'s store at ``target`` (the documents stay where they were)."""
    shutil.copytree(source.data_dir, target, ignore=shutil.ignore_patterns("write.lock"))
    return settings_for(target)


@pytest.fixture(scope="session")
def app_settings(sample_settings, tmp_path_factory, embedder) -> Settings:
    """A copy of the sample store plus one document full of markup, for the app's tests to read."""
    settings = copy_store(sample_settings, tmp_path_factory.mktemp("app-store") / "data")
    note = tmp_path_factory.mktemp("hostile") / "hostile-note.md"
    note.write_text(HOSTILE_NOTE, encoding="utf-8")
    report = IngestService(settings, embedder=embedder).ingest([note])
    assert report.added, report.failed
    return settings


@pytest.fixture()
def writable_settings(app_settings, tmp_path) -> Settings:
    """A private copy of the app store that a test may add documents to."""
    return copy_store(app_settings, tmp_path / "data")
