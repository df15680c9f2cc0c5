"""Open register views, shared by the threads of one service and reopened when the register changes.

A view is assembled per set of visible documents, so that a reader with limited clearance gets
records, status history and chains built only from what they may see.
"""

from __future__ import annotations

import threading
from pathlib import Path

from search.recommendations.query import RegisterView
from search.recommendations.register import Register


class RegisterViews:
    """The register file's views, one per set of visible documents.

    Parameters:
        path: the register file (see ``register_path``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._register: Register | None = None
        self._views: dict[frozenset[str] | None, RegisterView] = {}

    def _current_stamp(self) -> tuple[int, ...]:
        files = (self.path, self.path.with_name(self.path.name + "-wal"))
        return tuple(file.stat().st_mtime_ns if file.exists() else 0 for file in files)

    def view(self, visible_doc_ids: frozenset[str] | None) -> RegisterView:
        """The view for readers who may see ``visible_doc_ids`` (None: every document).

        Raises RegisterError (saying how to build it) when the register file is missing.
        """
        stamp = self._current_stamp()
        with self._lock:
            if stamp != self._stamp or self._register is None:
                self._close_register()
                self._register = Register(self.path)
                self._stamp = stamp
            view = self._views.get(visible_doc_ids)
            if view is None:
                view = RegisterView(self._register, visible_doc_ids=visible_doc_ids)
                self._views[visible_doc_ids] = view
            return view

    def _close_register(self) -> None:
        if self._register is not None:
            self._register.close()
        self._register = None
        self._views = {}
        self._stamp = None

    def close(self) -> None:
        """Close the register file."""
        with self._lock:
            self._close_register()
