"""Manifest and sidecar overrides: precedence, validation and error messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.manifest import find_overrides
from search.errors import DocumentError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    _write(tmp_path / "lessons-manifest.toml",
           '[defaults]\npublisher = "Marshfield County Council"\narea = "Marshfield"\naccess = "public"\n')
    _write(tmp_path / "reviews" / "lessons-manifest.toml",
           '[defaults]\naccess = "internal"\ndoc_type = "review"\n\n'
           '[[documents]]\nfile = "marshfield-mash-review-2020.pdf"\ndoc_id = "marshfield-mash-review-2020"\n'
           'title = "MASH review"\npublished = 2020-08-27\nseries = "MASH"\n')
    _write(tmp_path / "reviews" / "marshfield-mash-review-2020.pdf", "%PDF")
    _write(tmp_path / "reviews" / "other.pdf", "%PDF")
    return tmp_path


def test_defaults_entry_and_sidecar_merge_in_order(tree: Path) -> None:
    target = tree / "reviews" / "marshfield-mash-review-2020.pdf"
    assert find_overrides(target, root=tree) == {
        "publisher": "Marshfield County Council", "area": "Marshfield", "access": "internal",
        "doc_type": "review", "doc_id": "marshfield-mash-review-2020", "title": "MASH review",
        "published": "2020-08-27", "series": "MASH",
    }
    _write(tree / "reviews" / "marshfield-mash-review-2020.pdf.meta.toml", 'access = "restricted"\n')
    assert find_overrides(target, root=tree)["access"] == "restricted"


def test_file_without_entry_gets_folder_defaults(tree: Path) -> None:
    assert find_overrides(tree / "reviews" / "other.pdf", root=tree) == {
        "publisher": "Marshfield County Council", "area": "Marshfield", "access": "internal",
        "doc_type": "review",
    }


def test_manifests_above_the_root_are_ignored(tree: Path) -> None:
    root = tree / "reviews"
    assert "publisher" not in find_overrides(root / "other.pdf", root=root)


@pytest.mark.parametrize(("text", "fragment"), [
    ('[defaults]\ndoc_type = "memo"\n', "doc_type 'memo' in [defaults] is not allowed: use one of guidance, review"),
    ('[defaults]\naccess = "secret"\n', "access 'secret' in [defaults] is not allowed: use one of public, internal"),
    ('[defaults]\ncolour = "red"\n', "unknown key 'colour' in [defaults]"),
    ('[[documents]]\nfile = "a.pdf"\npublished = "27/08/2020"\n', "published '27/08/2020'"),
    ('[[documents]]\ntitle = "x"\n', "has no 'file'"),
    ('[defaults]\npublisher = "x\n', "malformed TOML (" ),
])
def test_bad_manifests_are_named_with_the_reason(tmp_path: Path, text: str, fragment: str) -> None:
    manifest = _write(tmp_path / "lessons-manifest.toml", text)
    _write(tmp_path / "a.pdf", "%PDF")
    with pytest.raises(DocumentError) as caught:
        find_overrides(tmp_path / "a.pdf", root=tmp_path)
    assert caught.value.source == str(manifest)
    assert fragment in caught.value.reason


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path / "lessons-manifest.toml", '[defaults]\narea = "A"\npublisher = \n')
    _write(tmp_path / "a.pdf", "%PDF")
    with pytest.raises(DocumentError, match="line 3"):
        find_overrides(tmp_path / "a.pdf", root=tmp_path)


def test_manifest_is_reread_when_it_changes(tmp_path: Path) -> None:
    manifest = _write(tmp_path / "lessons-manifest.toml", '[defaults]\narea = "North"\n')
    _write(tmp_path / "a.pdf", "%PDF")
    assert find_overrides(tmp_path / "a.pdf", root=tmp_path) == {"area": "North"}
    manifest.write_text('[defaults]\narea = "South"\n', encoding="utf-8")
    stat = manifest.stat()
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert find_overrides(tmp_path / "a.pdf", root=tmp_path) == {"area": "South"}
