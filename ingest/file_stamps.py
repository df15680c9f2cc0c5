"""What each source file looked like when it was last indexed, so that an unchanged file is not read again.

A stamp holds a file's size, modification and change times (nanoseconds), the fingerprint context
(metadata overrides and chunking) and the content hash the job computed from its bytes. When a file's
stat and context still match its stamp, and the store still holds that content hash for the source,
the job counts the file unchanged without reading it. The content hash in the store stays the truth:
a stamp only saves the reading and hashing, and a stale or missing stamp merely costs one re-hash.

Stamps live in ``file-stamps.sqlite3`` in the data folder. They are a cache: a damaged file is
replaced by an empty one and the next job hashes every file once.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

STAMPS_FILE = "file-stamps.sqlite3"
RACY_WINDOW_NS = 2_000_000_000
"""A file changed this close to the moment it was read may change again within the same timestamp
tick (coarse file-system clocks), so its stamp is not kept and the next job reads it again."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stamps (
    source TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, context TEXT NOT NULL, content_hash TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class FileStamp:
    """A source file's stat and fingerprint context when it was hashed, and the hash it had."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    context: str
    content_hash: str

    @classmethod
    def of(cls, path: Path, stat: os.stat_result, context: str, content_hash: str) -> FileStamp:
        """The stamp of ``path`` with this stat, context and content hash."""
        return cls(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, context, content_hash)

    def matches(self, path: Path, stat: os.stat_result, context: str) -> bool:
        """True when the file at ``path`` still has this size, these times and this context."""
        return (
            self.size == stat.st_size
            and self.mtime_ns == stat.st_mtime_ns
            and self.ctime_ns == stat.st_ctime_ns
            and self.context == context
            and self.path == str(path)
        )


def trustworthy(stat: os.stat_result, read_at_ns: int) -> bool:
    """False when the file changed within ``RACY_WINDOW_NS`` of ``read_at_ns`` (its stamp may lie)."""
    return max(stat.st_mtime_ns, stat.st_ctime_ns) < read_at_ns - RACY_WINDOW_NS


class FileStamps:
    """The stamps of a data folder, read once when opened; new ones are written by ``save``.

    Parameters:
        data_dir: the data folder (the file is created when missing).
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / STAMPS_FILE
        self._pending: dict[str, FileStamp | None] = {}
        try:
            self._db = self._open()
            rows = self._db.execute(
                "SELECT source, path, size, mtime_ns, ctime_ns, context, content_hash FROM stamps"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            log.warning(
                "the file stamps in %s are unreadable (%s): starting afresh; unchanged files are hashed once",
                self.path,
                exc,
            )
            self.path.unlink(missing_ok=True)
            self._db = self._open()
            rows = []
        self._stamps = {str(row[0]): FileStamp(*row[1:]) for row in rows}

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        return db

    def get(self, source: str) -> FileStamp | None:
        """The stamp of ``source``, or None."""
        return self._stamps.get(source)

    def put(self, source: str, stamp: FileStamp) -> None:
        """Record a new stamp (written by the next ``save``)."""
        if self._stamps.get(source) != stamp:
            self._stamps[source] = stamp
            self._pending[source] = stamp

    def forget(self, source: str) -> None:
        """Drop the stamp of a source (its document left the store)."""
        if self._stamps.pop(source, None) is not None:
            self._pending[source] = None

    def save(self) -> None:
        """Write the stamps recorded since the last save, in one transaction."""
        if not self._pending:
            return
        kept = [
            (source, s.path, s.size, s.mtime_ns, s.ctime_ns, s.context, s.content_hash)
            for source, s in self._pending.items()
            if s is not None
        ]
        dropped = [(source,) for source, s in self._pending.items() if s is None]
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO stamps VALUES (?, ?, ?, ?, ?, ?, ?)", kept)
            self._db.executemany("DELETE FROM stamps WHERE source = ?", dropped)
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            log.warning("could not save file stamps to %s (%s): the next job hashes those files again", self.path, exc)
        self._pending.clear()

    def close(self) -> None:
        """Save what is pending and close the file."""
        try:
            self.save()
        finally:
            self._db.close()
