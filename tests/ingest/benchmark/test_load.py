"""Concurrent load on one shared service (as the app runs it): no errors, bounded memory."""

from __future__ import annotations

from ingest.benchmark.answers import sample_questions
from ingest.benchmark.load import run_load
from search.embedding import Embedder
from search.service import SearchService
from search.settings import Settings


def test_many_clients_search_and_ask_without_errors(sample_settings: Settings, embedder: Embedder) -> None:
    service = SearchService(sample_settings, embedder=embedder)
    try:
        figures = run_load(service, sample_questions()[:20], clients=6, seconds=8)
    finally:
        service.close()
    assert figures.errors == 0, figures.first_errors
    assert figures.requests >= 12  # every client completed work, not just one
    assert figures.p95_ms > 0
    # Warm caches do not keep growing: well under the size of another model copy per client.
    assert figures.rss_mb_at_end - figures.rss_mb_after_warm_up < 300
