"""One writer at a time per store: an advisory file lock that dies with its process."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from search.errors import StoreLockedError


class WriteLock:
    """An exclusive lock on ``folder/write.lock`` (released on close or when the process dies)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "write.lock"
        self._handle: int | None = None

    def acquire(self, *, wait: bool = False) -> bool:
        """Take the lock; returns False (or waits, with ``wait``) when another process holds it."""
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(handle)
            return False
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        self._handle = handle
        return True

    def acquire_or_fail(self) -> None:
        """Take the lock or raise StoreLockedError naming the process that holds it."""
        if not self.acquire():
            try:
                holder = self.path.read_text().strip() or "unknown"
            except OSError:
                holder = "unknown"
            raise StoreLockedError(
                f"another ingest job (process {holder}) is writing to {self.path.parent}: wait for it "
                "to finish, or stop it and run the job again (a stopped job resumes where it left off)"
            )

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._handle is not None

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            os.close(self._handle)
            self._handle = None
