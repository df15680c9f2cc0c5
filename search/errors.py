"""The typed errors of Lessons.

Library code raises these; they become words only at the CLI and UI edges. Each
message says what failed, on what, and how to fix it.
"""

from __future__ import annotations


class LessonsError(Exception):
    """Base class of every error Lessons raises on purpose."""


class SettingsError(LessonsError):
    """A setting has a value that cannot be used (names the setting, value and origin)."""


class StoreError(LessonsError):
    """The document store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another job holds the store's write lock."""


class DocumentNotFoundError(LessonsError):
    """No document with the requested id (or page) is indexed."""


class ModelError(LessonsError):
    """The embedding model cannot be loaded or run."""


class QueryError(LessonsError):
    """A search query or filter is not usable (empty, bad date, unknown type)."""


class DocumentError(LessonsError):
    """One source document cannot be ingested; the job records it and goes on.

    ``reason`` is the plain sentence written to the ingestion report.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SourceListError(LessonsError):
    """A sources list (sources.toml) is malformed or names an unusable entry."""


class BenchmarkDataError(LessonsError):
    """An evaluation set (BEIR folder or questions file) is missing or malformed."""
