"""Sources lists (``sources.toml``): real public documents to download and index."""

from __future__ import annotations

import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from search.errors import SourceListError
from search.models import DOC_TYPES

_METADATA_KEYS = ("title", "publisher", "doc_type", "published", "area", "access", "series", "doc_id")
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/markdown": ".md",
    "text/plain": ".txt",
}


@dataclass(frozen=True)
class SourceEntry:
    """One document of a sources list: where to fetch it and the metadata to give it."""

    url: str
    metadata: dict[str, str]
    licence: str | None = None


def read_sources(path: Path) -> list[SourceEntry]:
    """Parse a sources list; raises SourceListError naming the file, the entry and the fix."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceListError(f"sources list {path} does not exist: check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceListError(f"sources list {path} is not valid TOML ({exc}): fix the line named") from None
    entries = []
    for number, item in enumerate(table.get("sources", []), start=1):
        url = str(item.get("url", ""))
        if not url.startswith(("http://", "https://")):
            raise SourceListError(f"{path}: source {number} has no http(s) url ({url!r}): add url = \"https://...\"")
        doc_type = item.get("doc_type", "other")
        if doc_type not in DOC_TYPES:
            raise SourceListError(
                f"{path}: source {number} has doc_type {doc_type!r}: use one of {', '.join(DOC_TYPES)}"
            )
        metadata = {key: str(item[key]) for key in _METADATA_KEYS if key in item}
        entries.append(SourceEntry(url=url, metadata=metadata, licence=item.get("licence")))
    if not entries:
        raise SourceListError(f"sources list {path} has no [[sources]] entries: add at least one")
    return entries


def download(entry: SourceEntry, folder: Path, *, timeout: float, max_bytes: int) -> Path:
    """Fetch one source into ``folder``; returns the file. Raises OSError with a plain message."""
    from ingest.components import slug

    folder.mkdir(parents=True, exist_ok=True)
    request = urllib.request.Request(entry.url, headers={"User-Agent": "lessons-ingest"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            content = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise OSError(f"download failed (HTTP {exc.code} {exc.reason}): check the url") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OSError(f"download failed ({reason}): check the url and the internet connection") from None
    if len(content) > max_bytes:
        raise OSError(f"download is over the {max_bytes // (1024 * 1024)} MB limit (setting max_file_mb)")
    suffix = Path(urllib.request.url2pathname(entry.url.split("?")[0])).suffix.lower()
    if suffix not in _EXTENSIONS.values():
        suffix = _EXTENSIONS.get(kind, suffix or ".bin")
    name = entry.metadata.get("doc_id") or slug(entry.metadata.get("title") or Path(entry.url).stem)
    target = folder / f"{name}{suffix}"
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.write_bytes(content)
    temporary.replace(target)
    return target
