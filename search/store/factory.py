"""Open the store backend that the settings choose."""

from __future__ import annotations

from search.embedding import PACKAGED_DIMENSION
from search.errors import SettingsError
from search.settings import PACKAGED_MODEL, Settings
from search.store.embedded import EmbeddedStore
from search.store.protocol import ChunkStore


def open_store(settings: Settings, *, writable: bool, dimension: int | None = None) -> ChunkStore:
    """The configured store, for reading or (with the write lock) for writing.

    ``dimension`` is the embedding length of the configured model; when None it is the
    packaged model's, or whatever the existing store records.
    """
    if settings.store == "embedded":
        return EmbeddedStore(
            settings.data_dir,
            model=settings.model,
            dimension=dimension or _known_dimension(settings),
            writable=writable,
            ann_min_rows=settings.ann_min_rows,
            ann_probes=settings.ann_probes,
        )
    if settings.store == "opensearch":
        from search.store.opensearch import OpenSearchStore

        return OpenSearchStore(
            settings, model=settings.model, dimension=dimension or _known_dimension(settings), writable=writable
        )
    raise SettingsError(f"setting store = {settings.store!r} is not a known backend: use 'embedded' or 'opensearch'")


def _known_dimension(settings: Settings) -> int:
    if settings.model == PACKAGED_MODEL:
        return PACKAGED_DIMENSION
    from search.store.records import RecordStore

    database = settings.data_dir / "lessons.sqlite3"
    if database.exists():
        records = RecordStore(database)
        try:
            stored = records.get_meta("dimension")
        finally:
            records.close()
        if stored:
            return int(stored)
    from search.embedding import Embedder

    return Embedder(settings).dimension
