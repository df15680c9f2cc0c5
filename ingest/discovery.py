"""Finding the files an ingestion job should read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_SKIPPED_NAMES = ("lessons-manifest.toml",)


def _skipped(path: Path) -> bool:
    name = path.name
    return (
        name.startswith(".")
        or name in _SKIPPED_NAMES
        or name.endswith(".meta.toml")
        or name.startswith("~$")  # Office lock files
    )


def discover(paths: Sequence[Path]) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """Walk files and folders.

    Returns (files, missing): each file with the root it was found under (for manifests),
    sorted and without duplicates; and the paths that do not exist. Hidden files, manifests
    and sidecar files are skipped; unsupported files are kept so the report can name them.
    """
    files: dict[Path, Path] = {}
    missing: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(path).parts
                if found.is_file() and not any(part.startswith(".") for part in relative) and not _skipped(found):
                    files.setdefault(found.resolve(), path.resolve())
        elif path.is_file():
            files.setdefault(path.resolve(), path.resolve().parent)
        else:
            missing.append(path)
    return sorted(files.items()), missing
