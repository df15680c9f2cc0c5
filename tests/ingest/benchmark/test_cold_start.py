"""The cold-start measurement: a fresh process opens the sample store and finds what this process finds."""

from __future__ import annotations

from ingest.benchmark.cold_start import PHASES, measure_cold_start
from search.service import SearchService


def test_a_fresh_process_answers_the_first_search_like_this_one(sample_settings, embedder):
    query = "MASH recording of decisions"
    expected = SearchService(sample_settings, embedder=embedder).search(query, top_k=1).hits[0].doc_id
    measured = measure_cold_start(sample_settings.data_dir, query, runs=1)
    assert measured.doc_id == expected
    ends = [measured.phases[name] for name in PHASES]
    assert ends == sorted(ends) and 0 < ends[-1] <= measured.seconds
    assert 50 < measured.peak_rss_mb < 4000
