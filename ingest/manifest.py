"""Metadata overrides: ``lessons-manifest.toml`` files in source folders and per-file sidecars.

A manifest's ``[defaults]`` apply to every file in its folder and below; a ``[[documents]]``
entry names one file (``file``, relative to the manifest's folder); a ``<file>.meta.toml``
sidecar beside a file holds flat keys for that file alone.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from search.errors import DocumentError
from search.models import ACCESS_LEVELS, DOC_TYPES

MANIFEST_NAME = "lessons-manifest.toml"
SIDECAR_SUFFIX = ".meta.toml"
OVERRIDE_KEYS: tuple[str, ...] = (
    "doc_id", "title", "doc_type", "publisher", "published", "area", "access", "series",
)
"""The metadata keys a manifest entry or sidecar may set."""
_DEFAULT_KEYS = tuple(key for key in OVERRIDE_KEYS if key not in ("doc_id", "title"))

_cache: dict[Path, tuple[int, dict[str, Any]]] = {}


def _check_values(source: Path, where: str, values: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, str]:
    """Validate one table of overrides and return it as strings."""
    checked: dict[str, str] = {}
    for key, value in values.items():
        if key not in allowed:
            raise DocumentError(
                str(source), f"unknown key '{key}' in {where}: allowed keys are {', '.join(allowed)}"
            )
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()  # TOML lets people write published = 2020-08-27
        if not isinstance(value, str):
            raise DocumentError(
                str(source), f"key '{key}' in {where} has value {value!r}: write it as a quoted string"
            )
        if key == "doc_type" and value not in DOC_TYPES:
            raise DocumentError(
                str(source), f"doc_type '{value}' in {where} is not allowed: use one of {', '.join(DOC_TYPES)}"
            )
        if key == "access" and value not in ACCESS_LEVELS:
            raise DocumentError(
                str(source), f"access '{value}' in {where} is not allowed: use one of {', '.join(ACCESS_LEVELS)}"
            )
        if key == "published":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise DocumentError(
                    str(source), f"published '{value}' in {where} is not an ISO date: write it as YYYY-MM-DD"
                ) from None
        checked[key] = value
    return checked


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file once per modification time."""
    stamp = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(str(path), f"malformed TOML ({exc}): fix the syntax at that line") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(str(path), f"cannot read the file ({type(exc).__name__}): save it as UTF-8 text") from exc
    _cache[path] = (stamp, data)
    return data


def _parse_manifest(path: Path) -> tuple[dict[str, str], dict[Path, dict[str, str]]]:
    """A manifest's defaults and its document entries keyed by resolved file path."""
    data = _read_toml(path)
    unknown = set(data) - {"defaults", "documents"}
    if unknown:
        raise DocumentError(
            str(path), f"unknown table '{min(unknown)}': a manifest has only [defaults] and [[documents]]"
        )
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise DocumentError(str(path), "'defaults' must be a table: write it as [defaults]")
    documents = data.get("documents", [])
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise DocumentError(str(path), "'documents' must be an array of tables: write each as [[documents]]")
    entries: dict[Path, dict[str, str]] = {}
    for number, entry in enumerate(documents, start=1):
        where = f"[[documents]] entry {number}"
        file_name = entry.get("file")
        if not isinstance(file_name, str) or not file_name.strip():
            raise DocumentError(str(path), f"{where} has no 'file': add file = \"<name relative to the manifest>\"")
        values = {key: value for key, value in entry.items() if key != "file"}
        target = (path.parent / file_name).resolve()
        if target in entries:
            raise DocumentError(str(path), f"file '{file_name}' is listed twice: keep one [[documents]] entry for it")
        entries[target] = _check_values(path, f"{where} ('{file_name}')", values, OVERRIDE_KEYS)
    return _check_values(path, "[defaults]", defaults, _DEFAULT_KEYS), entries


def find_overrides(path: Path, root: Path) -> dict[str, str]:
    """Collect the metadata overrides that apply to one source file.

    Parameters: ``path`` the source file; ``root`` the ingest root (manifests above it are
    not read). Merges, lowest precedence first: the ``[defaults]`` of each manifest from
    ``root`` down to the file's folder, the manifests' ``[[documents]]`` entries for the file
    (outer to inner), then the file's ``.meta.toml`` sidecar.
    Returns the merged keys. Raises DocumentError naming the bad manifest or sidecar.
    """
    file = path.resolve()
    top = root.resolve()
    folders = [file.parent]
    while folders[-1] != top and top in folders[-1].parents:
        folders.append(folders[-1].parent)
    manifests = [folder / MANIFEST_NAME for folder in reversed(folders) if (folder / MANIFEST_NAME).is_file()]
    parsed = [_parse_manifest(manifest) for manifest in manifests]
    merged: dict[str, str] = {}
    for defaults, _ in parsed:
        merged.update(defaults)
    for _, entries in parsed:
        merged.update(entries.get(file, {}))
    sidecar = file.with_name(file.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        merged.update(_check_values(sidecar, "the sidecar", _read_toml(sidecar), OVERRIDE_KEYS))
    return merged
