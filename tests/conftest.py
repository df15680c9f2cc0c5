"""Fixtures shared by the whole suite: the real model (loaded once) and stores built from real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.service import IngestService
from search.embedding import Embedder
from search.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus" / "documents"
SHARED = REPO.parent / "shared"
CORPUS_REAL = SHARED / "corpus-real"

# A subset of the real public documents, chosen to cover every format and type while keeping
# the suite's embedding time small on two CPU cores.
REAL_SUBSET = (
    "ofsted-herefordshire-focused-visit-2020-01-21-peer-on-peer.pdf",
    "dfe-information-sharing-advice-2024.pdf",
    "northamptonshire-missing-children-protocol-2022.pdf",
    "kent-cc-county-council-minutes-2025-03-13.pdf",
    "banes-council-report-a-concern-about-a-child-webpage-2025.txt",
    "northamptonshire-ceraf-tool-2023.docx",
    "lambeth-scp-factsheet-parental-substance-use-2025.pdf",
)


def require_corpus_real() -> Path:
    """The shared real corpus, or skip with the reason."""
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real public documents are not at {CORPUS_REAL} (they sit beside the checkout in ../shared)")
    return CORPUS_REAL


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    """Settings pointing at ``data_dir`` (the environment's LESSONS_* variables are ignored)."""
    return load_settings({"data_dir": data_dir, **overrides}, environ={})


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged model, loaded once for the session."""
    model = Embedder(settings_for(Path("unused")))
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A store holding the whole sample corpus (built once; tests must not change it)."""
    settings = settings_for(tmp_path_factory.mktemp("sample-store"))
    report = IngestService(settings, embedder=embedder).ingest([SAMPLE_CORPUS])
    assert report.ok, report.failed
    return settings


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A store holding a subset of the real public documents from ../shared/corpus-real."""
    corpus = require_corpus_real()
    folder = tmp_path_factory.mktemp("real-docs")
    for name in REAL_SUBSET:
        # Links, not copies: the documents are read from ../shared.
        (folder / name).symlink_to(corpus / name)
    settings = settings_for(tmp_path_factory.mktemp("real-store"))
    report = IngestService(settings, embedder=embedder).ingest([folder])
    assert report.ok, report.failed
    return settings


@pytest.fixture()
def sample_copy(tmp_path: Path) -> Path:
    """A private copy of a few sample documents (with their manifest) that a test may change."""
    target = tmp_path / "docs"
    target.mkdir()
    for name in (
        "marshfield-statement-mash-review-2020.html",
        "mscp-mash-reaudit-2022.pdf",
        "marshfield-missing-children-procedure-2022.docx",
        "lessons-manifest.toml",
    ):
        shutil.copy(SAMPLE_CORPUS / name, target / name)
    return target
