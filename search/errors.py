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


class StoreUnreachableError(StoreError):
    """The store's server (OpenSearch) cannot be reached: refused, timed out, TLS failed."""


class StoreAuthError(StoreError):
    """The store's server refused the credentials, or the user may not use the index."""


class IndexMismatchError(StoreError):
    """The index (or a dump) was built with another embedding model or dimension, or is not a Lessons index."""


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


class RejectedChunksError(DocumentError):
    """The store rejected some of a document's passages; that document is skipped, the job goes on.

    ``rejections`` lists one sentence per rejected passage (its id and the store's reason).
    """

    def __init__(self, source: str, reason: str, rejections: list[str]) -> None:
        super().__init__(source, reason)
        self.rejections = rejections


class AccessConfigError(LessonsError):
    """The users file is missing or malformed (names the file, the user and the fix)."""


class AuthenticationError(LessonsError):
    """A sign-in failed: wrong name or password, or a proxy header without a known user."""


class PermissionDeniedError(LessonsError):
    """The signed-in user's role does not allow the action (e.g. a reader uploading)."""


class JobTooLargeError(LessonsError):
    """An ingestion job or upload holds more files than the setting max_files_per_job allows."""


class SourceListError(LessonsError):
    """A sources list (sources.toml) is malformed or names an unusable entry."""


class BenchmarkDataError(LessonsError):
    """An evaluation set (BEIR folder or questions file) is missing or malformed."""


class RegisterError(LessonsError):
    """The recommendations register cannot be read or built (missing, or its taxonomy is malformed)."""


class RecommendationNotFoundError(RegisterError):
    """No recommendation with the requested id is in the register."""
