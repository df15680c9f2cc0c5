"""The corpus build is reproducible and the committed binaries are what the sources produce."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.build import DOCUMENTS_DIR, SOURCES_DIR, build

REPO_ROOT = Path(__file__).resolve().parents[2]


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run_build(command: list[str], out: Path) -> Path:
    result = subprocess.run(
        [sys.executable, *command, "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "built" in result.stdout
    return out


@pytest.fixture(scope="module")
def module_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full build run as `python -m corpus.build --out DIR`."""
    return _run_build(["-m", "corpus.build"], tmp_path_factory.mktemp("module"))


@pytest.fixture(scope="module")
def script_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second full build, run as `python corpus/build.py --out DIR`."""
    return _run_build(["corpus/build.py"], tmp_path_factory.mktemp("script"))


def test_two_builds_are_byte_identical(module_build: Path, script_build: Path) -> None:
    assert _hashes(module_build) == _hashes(script_build)


def test_committed_documents_match_a_fresh_build(module_build: Path) -> None:
    assert _hashes(DOCUMENTS_DIR) == _hashes(module_build), (
        "corpus/documents is out of date: run `python -m corpus.build` and commit the result"
    )


def test_build_removes_files_no_source_produces(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    statement = SOURCES_DIR / "marshfield-statement-mash-review-2020.md"
    (sources / statement.name).write_bytes(statement.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.pdf").write_bytes(b"old")
    written = build(out, sources)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    assert not (out / "stale.pdf").exists()
