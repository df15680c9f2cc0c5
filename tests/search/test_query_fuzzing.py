"""Fuzzing what users type (bounded): any text gives results, or a QueryError that says what to do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.answers.asking import check_question
from search.embedding import Embedder
from search.errors import QueryError
from search.service import SearchService
from search.settings import Settings

FUZZ = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], database=None
)
# Query-language characters a keyword engine might parse: all must be taken as plain words.
SYNTAX = st.sampled_from(list("\"'():^~*?+-!&|[]{}\\/<>=") + ["AND", "OR", "NOT", "title:", "*:*", "\x00", "\u202e"])
QUERIES = st.lists(st.one_of(st.text(max_size=12), SYNTAX), max_size=12).map(" ".join)


@pytest.fixture(scope="module")
def service(sample_settings: Settings, embedder: Embedder) -> Iterator[SearchService]:
    reader = SearchService(sample_settings, embedder=embedder)
    yield reader
    reader.close()


@settings(FUZZ, max_examples=300)
@given(query=QUERIES)
def test_any_keyword_query_searches_or_says_why(service: SearchService, query: str) -> None:
    try:
        result = service.search(query, mode="keyword", top_k=5)
    except QueryError as exc:
        assert "empty" in str(exc) and ": " in str(exc)
        return
    assert len(result.hits) <= 5
    assert all(hit.doc_id and (hit.page is None or hit.page >= 1) for hit in result.hits)


@settings(FUZZ, max_examples=300)
@given(question=st.text(max_size=3000))
def test_any_question_is_tidied_or_refused_with_a_reason(question: str) -> None:
    try:
        text, notices = check_question(question)
    except QueryError as exc:
        assert ": " in str(exc)
        return
    assert text and text == text.strip() and "  " not in text
    assert all(notice.endswith(".") for notice in notices)


@settings(FUZZ, max_examples=12)
@given(question=QUERIES)
def test_any_question_is_answered_or_abstains(service: SearchService, question: str) -> None:
    try:
        answer = service.ask(question)
    except QueryError:
        return
    assert answer.abstained or answer.citations
    assert answer.abstained == (not answer.sentences)
