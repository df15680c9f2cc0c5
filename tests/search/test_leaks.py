"""Leak tests: for each clearance, hundreds of generated queries through every read path; no marker
word or doc id of a document above the clearance reaches the user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.benchmark.leak_corpus import LeakCorpus, build_leak_corpus, leak_queries
from ingest.service import IngestService
from search.access import User
from search.audit import read_events
from search.embedding import Embedder
from search.errors import DocumentNotFoundError, QueryError, RecommendationNotFoundError
from search.service import SearchService
from search.settings import Settings
from tests.conftest import settings_for

SEARCHES_PER_USER = 240
ASKS_PER_USER = 30
READERS = (User("pat", "reader", "public"), User("ines", "contributor", "internal"))


@pytest.fixture(scope="module")
def leak_corpus(tmp_path_factory: pytest.TempPathFactory) -> LeakCorpus:
    return build_leak_corpus(tmp_path_factory.mktemp("leak") / "docs")


@pytest.fixture(scope="module")
def leak_settings(tmp_path_factory: pytest.TempPathFactory, leak_corpus: LeakCorpus, embedder: Embedder) -> Settings:
    folder = tmp_path_factory.mktemp("leak-store")
    settings = settings_for(folder / "store", audit_log=str(folder / "audit.jsonl"))
    report = IngestService(settings, embedder=embedder).ingest([leak_corpus.folder])
    assert report.ok and len(report.added) == 16, report.failed
    return settings


@pytest.fixture(scope="module")
def shared_service(leak_settings: Settings, embedder: Embedder) -> Iterator[SearchService]:
    service = SearchService(leak_settings, embedder=embedder)
    yield service
    service.close()


def _leaks(forbidden: list[str], *outputs: object) -> list[str]:
    text = "\n".join(repr(output) for output in outputs)
    return [item for item in forbidden if item in text]


def test_an_admin_sees_restricted_documents(shared_service: SearchService, leak_corpus: LeakCorpus) -> None:
    marker = leak_corpus.markers["restricted"][0]
    hits = shared_service.search(marker, mode="keyword").hits
    assert hits and marker in hits[0].text  # the markers are findable, so the tests below can fail
    assert any(marker in r.text for r in shared_service.recommendations(query=f"MASH record {marker}"))


@pytest.mark.parametrize("user", READERS, ids=lambda user: user.clearance)
def test_no_read_path_leaks_above_the_clearance(
    shared_service: SearchService, leak_corpus: LeakCorpus, user: User, leak_settings: Settings
) -> None:
    service = shared_service.for_user(user)
    forbidden = leak_corpus.forbidden_for(user.levels)
    queries = leak_queries(leak_corpus, SEARCHES_PER_USER)
    leaks: list[str] = []
    tried = 0
    for number, query in enumerate(queries):
        mode = ("hybrid", "keyword", "semantic")[number % 3]
        try:
            result = service.search(query, mode=mode, top_k=10)
        except QueryError:
            continue
        tried += 1
        leaks += _leaks(forbidden, result.hits, result.facets)
        if number < 20 and result.hits:
            similar = service.more_like_this(result.hits[0].chunk_id, top_k=10)
            leaks += _leaks(forbidden, similar.hits, similar.facets)
    for query in queries[:ASKS_PER_USER]:
        answer = service.ask(query)
        leaks += _leaks(
            forbidden,
            answer.answer,
            answer.sentences,
            answer.citations,
            answer.nearest,
            answer.passages,
            answer.notices,
            answer.message,
        )
        records = service.recommendations(query=query)
        leaks += _leaks(forbidden, records)
    every_record = service.recommendations()
    details = [service.recommendation(record.id) for record in every_record]
    leaks += _leaks(
        forbidden,
        every_record,
        details,
        service.recurrence_chains(),
        service.recommendations_csv(every_record),
        service.documents(),
        service.library(),
    )
    assert leaks == [], f"{len(leaks)} leaks for {user.clearance}: {sorted(set(leaks))[:10]}"
    assert tried >= SEARCHES_PER_USER * 0.9
    assert every_record, "the reader sees the recommendations of the documents they may read"


@pytest.mark.parametrize("user", READERS, ids=lambda user: user.clearance)
def test_hidden_documents_read_as_absent(shared_service: SearchService, leak_corpus: LeakCorpus, user: User) -> None:
    service = shared_service.for_user(user)
    hidden = [
        doc_id
        for level in ("internal", "restricted")
        if level not in user.levels
        for doc_id in leak_corpus.doc_ids[level]
    ]
    assert hidden
    for doc_id in hidden:
        with pytest.raises(DocumentNotFoundError, match="no document with id"):
            service.document(doc_id)
        with pytest.raises(DocumentNotFoundError):
            service.page(doc_id, 1)
        with pytest.raises(DocumentNotFoundError):
            service.more_like_this(f"{doc_id}#0")
        with pytest.raises(RecommendationNotFoundError):
            service.recommendation(f"{doc_id}:R1")


def test_editions_above_the_clearance_are_not_named(shared_service: SearchService, leak_corpus: LeakCorpus) -> None:
    reader = shared_service.for_user(READERS[0])
    answer = reader.ask("When must schools refer a child at risk to the MASH?")
    assert not answer.abstained
    assert answer.citations[0].doc_id == "guidance-edition-public"
    assert _leaks(leak_corpus.forbidden_for(("public",)), answer) == []


def test_reads_are_audited_with_who_and_what(shared_service: SearchService, leak_settings: Settings) -> None:
    reader = shared_service.for_user(READERS[1])
    reader.search("strategy discussions police")
    events = read_events(Path(leak_settings.audit_log))
    last = events[-1]
    assert (last["user"], last["action"], last["text"]) == ("ines", "search", "strategy discussions police")
    assert last["doc_ids"] and all(not doc_id.startswith("leak-restricted") for doc_id in last["doc_ids"])


def test_status_reported_in_a_hidden_document_stays_hidden(
    shared_service: SearchService, leak_corpus: LeakCorpus
) -> None:
    reviewed = "leak-public-review-0:R1"
    admin_history = shared_service.recommendation(reviewed).status_history
    assert any(event.doc_id == "progress-minutes" for event in admin_history)  # the link exists
    reader_view = shared_service.for_user(READERS[0]).recommendation(reviewed)
    assert all(event.doc_id != "progress-minutes" for event in reader_view.status_history)
    assert "RESTRICTEDPROGRESSMARKER" not in repr(reader_view)
