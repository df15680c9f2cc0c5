"""Load plain text and Markdown files: decoded, cleaned, with Markdown headings recorded."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.loaders._common import decode_text, normalise_text
from ingest.parsed import Heading, ParsedDocument

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_FRONT_MATTER_KEYS = {"title": "title", "publisher": "publisher", "author": "publisher",
                      "date": "published", "published": "published", "description": "description"}


def load_text(path: Path) -> ParsedDocument:
    """Read a plain-text file as one unpaged page; the chunker infers its headings.

    Parameters: ``path`` the .txt file. Returns a ParsedDocument without metadata.
    """
    text = normalise_text(decode_text(path, path.read_bytes()))
    return ParsedDocument(source=str(path), pages=[text], paged=False)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """Read a leading ``---`` block of ``key: value`` lines; returns metadata and lines used."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, 0
    metadata: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        target = _FRONT_MATTER_KEYS.get(key.strip().lower())
        value = value.strip().strip("\"'")
        if sep and target and value:
            if target == "published" and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
                continue
            metadata[target] = value[:10] if target == "published" else value
    return metadata, end + 1


def load_markdown(path: Path) -> ParsedDocument:
    """Read a Markdown file: ``#`` headings become Heading spans and plain heading lines.

    Parameters: ``path`` the .md/.markdown file.
    Returns one unpaged page in which each heading keeps its words on its own line (the
    ``#`` marks removed); front matter is dropped from the text and read into metadata.
    """
    lines = normalise_text(decode_text(path, path.read_bytes())).split("\n")
    metadata, skip = _front_matter(lines)
    out: list[str] = []
    headings: list[Heading] = []
    offset = 0
    in_fence = False
    for line in lines[skip:]:
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _ATX_HEADING.match(line)
        if match and match.group(2).strip():
            line = match.group(2).strip()
            headings.append(Heading(0, offset, offset + len(line), len(match.group(1)), line))
        out.append(line)
        offset += len(line) + 1
    return ParsedDocument(source=str(path), pages=["\n".join(out)], paged=False,
                          headings=headings, metadata=metadata)
