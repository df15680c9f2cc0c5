"""Hostile input end to end: every bad file refused with its reason, the good ones indexed clean,
no network connection opened by document content, and a re-run loses nothing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.benchmark.hostile_corpus import INJECTION_MARKER, HostileCorpus, build_hostile_corpus
from ingest.service import IngestService
from search.embedding import Embedder
from search.service import SearchService
from search.settings import Settings
from search.store.factory import open_store
from tests.conftest import settings_for

MAX_PAGES = 40


class Canary:
    """A loopback TCP listener that counts connections: any would mean a document made us fetch."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, canary: Canary) -> HostileCorpus:
    return build_hostile_corpus(tmp_path_factory.mktemp("hostile") / "docs", canary_url=canary.url, max_pages=MAX_PAGES)


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory, hostile: HostileCorpus, embedder: Embedder):
    settings = settings_for(tmp_path_factory.mktemp("hostile-store"), max_pages=MAX_PAGES)
    report = IngestService(settings, embedder=embedder).ingest([hostile.folder])
    return settings, report


def _resolved(paths) -> set[str]:
    return {str(Path(p).resolve()) for p in paths}


def test_every_bad_file_is_refused_with_its_reason(hostile: HostileCorpus, hostile_store) -> None:
    _, report = hostile_store
    reasons = {failure.source: failure.reason for failure in report.failed}
    assert set(reasons) == _resolved(hostile.bad)
    for path, fragment in hostile.bad.items():
        reason = reasons[str(path.resolve())]
        assert fragment.lower() in reason.lower(), f"{path.name}: {reason}"
        assert ": " in reason, f"{path.name}: the reason must say the fix: {reason}"


def test_the_index_holds_exactly_the_good_files(hostile: HostileCorpus, hostile_store) -> None:
    settings, report = hostile_store
    assert set(report.added) == _resolved(hostile.good)
    store = open_store(settings, writable=False)
    try:
        assert {doc.source for doc in store.list_documents()} == _resolved(hostile.good)
        assert store.integrity_problems() == []
        indexed = []
        for doc in store.list_documents():
            indexed += [chunk.text for chunk in store.chunks_of(doc.doc_id)]
            indexed += [store.page_text(doc.doc_id, page) or "" for page in range(1, (doc.pages or 1) + 1)]
    finally:
        store.close()
    text = "\n".join(indexed)
    for forbidden in hostile.forbidden:
        assert forbidden not in text, f"{forbidden!r} reached the index"
    assert "front door if you are worried about a child" in text  # the HTML's real text survived
    assert "<script>shown as text</script>" in text  # escaped markup is kept as text, not dropped


def test_no_document_made_lessons_open_a_connection(hostile_store, canary: Canary) -> None:
    assert canary.connections == 0


def test_a_rerun_changes_nothing_and_loses_nothing(hostile: HostileCorpus, hostile_store, embedder: Embedder) -> None:
    settings, first = hostile_store
    again = IngestService(settings, embedder=embedder).ingest([hostile.folder])
    assert again.added == [] and again.updated == []
    assert set(again.unchanged) == set(first.added)
    assert len(again.failed) == len(first.failed)


def test_prompt_injection_is_quoted_never_followed(hostile_store: tuple[Settings, object], embedder: Embedder) -> None:
    settings, _ = hostile_store
    service = SearchService(settings, embedder=embedder)
    try:
        answer = service.ask("What must staff do when a child discloses abuse?")
    finally:
        service.close()
    assert not answer.abstained
    assert "same working day" in answer.answer
    assert INJECTION_MARKER not in answer.answer
