"""File stamps: kept across jobs, matched on size, times, path and context, and a damaged file is only a lost cache."""

from __future__ import annotations

import os
import time

from ingest.file_stamps import STAMPS_FILE, FileStamp, FileStamps, trustworthy


def test_stamps_are_saved_matched_and_forgotten(tmp_path):
    document = tmp_path / "review.md"
    document.write_text("# Review\n\nThe board met.\n")
    stat = document.stat()
    stamps = FileStamps(tmp_path / "data")
    stamps.put("review", FileStamp.of(document, stat, "context-1", "hash-1"))
    stamps.put("other", FileStamp.of(document, stat, "context-1", "hash-2"))
    stamps.close()

    reopened = FileStamps(tmp_path / "data")
    stamp = reopened.get("review")
    assert stamp is not None and stamp.content_hash == "hash-1"
    assert stamp.matches(document, document.stat(), "context-1")
    assert not stamp.matches(document, document.stat(), "context-2")  # other overrides or chunking
    assert not stamp.matches(tmp_path / "elsewhere.md", document.stat(), "context-1")
    os.utime(document, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not stamp.matches(document, document.stat(), "context-1")
    document.write_text("# Review\n\nThe board met again.\n")
    assert not stamp.matches(document, document.stat(), "context-1")

    reopened.forget("other")
    reopened.close()
    assert FileStamps(tmp_path / "data").get("other") is None


def test_a_damaged_stamps_file_starts_afresh(tmp_path):
    (tmp_path / STAMPS_FILE).write_bytes(b"\x00garbage" * 512)
    stamps = FileStamps(tmp_path)
    assert stamps.get("anything") is None
    document = tmp_path / "a.txt"
    document.write_text("text")
    stamps.put("a", FileStamp.of(document, document.stat(), "c", "h"))
    stamps.close()
    assert FileStamps(tmp_path).get("a") is not None


def test_a_file_changed_moments_before_it_was_read_is_not_trusted(tmp_path):
    document = tmp_path / "a.txt"
    document.write_text("text")
    now = time.time_ns()
    assert not trustworthy(document.stat(), now)
    assert trustworthy(document.stat(), now + 3_000_000_000)
