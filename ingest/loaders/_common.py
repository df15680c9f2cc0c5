"""Checks and text clean-up shared by every loader: size limits, decoding, whitespace."""

from __future__ import annotations

import re
from pathlib import Path

from search.errors import DocumentError

_MB = 1024 * 1024

_SPACE_RUNS = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TRAILING_SPACE = re.compile(r" +\n")
# Prefixes that form real hyphenated compounds in safeguarding texts ("multi-agency",
# "e-safety"); a line break after them is not a word split, so the hyphen stays.
_KEPT_PREFIXES = frozenset(
    {"e", "co", "multi", "inter", "non", "self", "cross", "anti", "post", "pre", "well",
     "sub", "semi", "ex", "cyber", "long", "short", "full", "part", "high", "low", "under",
     "over", "on", "off", "in", "out", "up", "one", "two", "child", "peer", "age", "by"}
)
_LINE_END_HYPHEN = re.compile(r"\b([a-z]+)-\n([a-z])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def human_size(n_bytes: int) -> str:
    """Write a byte count the way a person reads it ("61.2 MB", "12 KB", "300 bytes")."""
    if n_bytes >= _MB:
        return f"{n_bytes / _MB:.1f}".removesuffix(".0") + " MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n_bytes} bytes"


def check_size(path: Path, max_bytes: int) -> int:
    """Refuse empty and oversize files before any parser sees them.

    Returns the file size in bytes; raises DocumentError otherwise.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read the file ({exc.strerror}): check it exists and is readable") from exc
    if size == 0:
        raise DocumentError(str(path), "empty file (0 bytes): re-download or re-export it")
    if size > max_bytes:
        raise DocumentError(
            str(path),
            f"file is {human_size(size)}, over the {human_size(max_bytes)} limit (setting max_file_mb): "
            "raise the limit or split the file",
        )
    return size


def normalise_text(text: str) -> str:
    """Clean extracted text lightly, keeping line breaks.

    Collapses runs of spaces, drops trailing spaces and control characters, and rejoins
    words split across lines ("safe-\\nguarding" -> "safeguarding") when a lowercase
    letter continues and the first half is not a common compound prefix.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACE_RUNS.sub(" ", text)
    text = _TRAILING_SPACE.sub("\n", text)

    def rejoin(match: re.Match[str]) -> str:
        head = match.group(1)
        if head in _KEPT_PREFIXES:
            return match.group(0)
        return head + match.group(2)

    text = _LINE_END_HYPHEN.sub(rejoin, text)
    return text.rstrip(" ")


def _looks_like_text(text: str) -> bool:
    """True when almost every character is printable (used to vet a cp1252 guess)."""
    if not text:
        return True
    odd = sum(1 for ch in text if not (ch.isprintable() or ch in "\n\r\t\f"))
    return odd / len(text) < 0.01


def decode_text(path: Path, raw: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else cp1252 if it is clean text.

    Raises DocumentError for binary content (NUL bytes) or bytes no encoding explains.
    """
    if b"\x00" in raw:
        raise DocumentError(
            str(path),
            "undecodable text (contains NUL bytes, so it is binary): check the file type and re-export it as UTF-8 text",
        )
    for encoding in ("utf-8-sig",):  # utf-8-sig reads plain UTF-8 too and drops a BOM
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    try:
        guess = raw.decode("cp1252")
    except UnicodeDecodeError:
        guess = None
    if guess is not None and _looks_like_text(guess):
        return guess
    raise DocumentError(
        str(path),
        "undecodable text (neither UTF-8 nor cp1252): re-save the file as UTF-8",
    )
