"""Fixtures of the store conformance suite: each backend, filled with the hand-made sample."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from search.embedding import Embedder
from search.models import ChunkRecord
from search.settings import Settings
from search.store.protocol import ChunkStore
from tests.search.store.backends import BACKENDS, SAMPLE, backend_settings, drop, embedded_chunks, fill, open_backend


@dataclass
class Backend:
    """A filled store of one backend, opened for writing, and the settings that reach it."""

    name: str
    settings: Settings
    store: ChunkStore


@pytest.fixture(scope="session")
def sample_chunks(embedder: Embedder) -> dict[str, list[ChunkRecord]]:
    """The sample passages with real embeddings, computed once."""
    return {document.record.doc_id: embedded_chunks(document, embedder) for document in SAMPLE}


@contextmanager
def _filled_backend(name: str, folder: Path, label: str, chunks: dict[str, list[ChunkRecord]]) -> Iterator[Backend]:
    settings = backend_settings(name, folder, label)
    store = open_backend(settings, writable=True)
    try:
        fill(store, chunks)
        yield Backend(name, settings, store)
    finally:
        store.close()
        drop(settings)


@pytest.fixture(scope="module", params=BACKENDS)
def filled(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sample_chunks: dict[str, list[ChunkRecord]],
) -> Iterator[Backend]:
    """A store of each backend holding the sample, shared by a module's read-only tests."""
    with _filled_backend(request.param, tmp_path_factory.mktemp("filled"), "filled", sample_chunks) as backend:
        yield backend


@pytest.fixture(params=BACKENDS)
def fresh(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sample_chunks: dict[str, list[ChunkRecord]],
) -> Iterator[Backend]:
    """A store of each backend holding the sample, for one test that changes it."""
    with _filled_backend(request.param, tmp_path_factory.mktemp("fresh"), "fresh", sample_chunks) as backend:
        yield backend
