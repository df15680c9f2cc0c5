"""Shared fixtures for the sample-corpus tests: the committed documents and their manifest."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from corpus.build import DOCUMENTS_DIR
from corpus.manifest import MANIFEST_NAME


@pytest.fixture(scope="session")
def manifest() -> dict:
    return tomllib.loads((DOCUMENTS_DIR / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def documents_by_id(manifest: dict) -> dict[str, dict]:
    return {entry["doc_id"]: entry for entry in manifest["documents"]}


@pytest.fixture(scope="session")
def documents_dir() -> Path:
    return DOCUMENTS_DIR
