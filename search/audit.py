"""The audit log: who asked what, when, and which documents they were shown.

One JSON object per line, appended to the file named by the setting ``audit_log`` (off when
empty). The file is opened for appending only, one ``write`` per event, so concurrent
processes and threads never interleave half lines. With ``audit_questions`` off the question
text is left out (only who, when, the action and the documents shown are kept).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from search.access import User
from search.errors import StoreError


class AuditLog:
    """Append-only record of reads.

    Parameters:
        path: the log file (created with owner-only permissions); None turns logging off.
        include_questions: keep the query or question text of each event.
    """

    def __init__(self, path: Path | None, *, include_questions: bool = True) -> None:
        self.path = path
        self.include_questions = include_questions
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether events are written."""
        return self.path is not None

    def record(self, user: User, action: str, *, text: str | None = None, doc_ids: Iterable[str] = ()) -> None:
        """Append one event: ``action`` (search, ask, page, recommendations, export...) by ``user``.

        ``doc_ids`` are the documents whose text was shown, in order, without repeats.
        Raises StoreError naming the file when it cannot be written.
        """
        if self.path is None:
            return
        event: dict[str, object] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "user": user.name,
            "role": user.role,
            "action": action,
            "doc_ids": list(dict.fromkeys(doc_ids)),
        }
        if self.include_questions and text is not None:
            event["text"] = text
        line = (json.dumps(event, ensure_ascii=False) + "\n").encode()
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(descriptor, line)
                finally:
                    os.close(descriptor)
            except OSError as exc:
                raise StoreError(
                    f"cannot write the audit log {self.path} ({exc.strerror}): check the folder exists and is "
                    "writable, or clear the audit_log setting"
                ) from exc


def read_events(path: Path) -> list[dict[str, object]]:
    """Every event in an audit log, oldest first (for reports and tests)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
