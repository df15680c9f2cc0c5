"""Citations of recommendations by number, and the statuses they report."""

from __future__ import annotations

from ingest.recommendations.mentions import find_mentions, parse_numbers
from ingest.recommendations.statuses import find_statuses


def mentions_of(text: str, within=None):
    return find_mentions([text], set(), within or {})


def test_numbers_lists_and_ranges():
    assert parse_numbers("1, 2 and 5") == (1, 2, 5)
    assert parse_numbers("1 to 4") == (1, 2, 3, 4)
    assert parse_numbers("3-5") == (3, 4, 5)


def test_one_sentence_reporting_several_statuses():
    found = mentions_of(
        "It recorded Recommendations 1, 2 and 5 as implemented, Recommendation 4 (a specialist adviser) as partly "
        "accepted and implemented, Recommendations 3 and 6 as in progress, and Recommendation 7 as not accepted."
    )
    assert [(m.numbers, m.statuses, m.description) for m in found] == [
        ((1, 2, 5), ("implemented",), ""),
        ((4,), ("partly accepted", "implemented"), "a specialist adviser"),
        ((3, 6), ("in progress",), ""),
        ((7,), ("rejected",), ""),
    ]


def test_a_response_heading_and_the_document_named():
    heading = mentions_of("Scrutiny Recommendation 4: fund an adviser for schools 3.5 Response: Partly accepted.")[0]
    assert heading.statuses == ("partly accepted",) and heading.cue == "Scrutiny"
    assert heading.description == "fund an adviser for schools"
    named = mentions_of(
        "This repeats Recommendation 3 of the 2016 LSCB audit, which was not fully implemented.",
        within={1: [(0, 200, "R1")]},
    )[0]
    assert named.cue == "of the 2016 LSCB audit" and named.statuses == ("not implemented",)
    assert named.repeats and named.within == "R1"


def test_hedged_statuses_are_not_statuses():
    assert (
        find_statuses(
            "The re-audit should check whether Recommendation 1 has been implemented.", start=40, hedge_from=0
        )
        == []
    )
    assert find_statuses("Each action will be marked complete only when audited.") == []
    assert [s for s, _ in find_statuses("Recommendation 2: implemented.")] == ["implemented"]


def test_accepting_all_recommendations_of_a_named_review():
    bulk = mentions_of("Cabinet accepts all ten recommendations of the independent review.")[0]
    assert bulk.all_of == 10 and bulk.statuses == ("accepted",) and bulk.cue == "of the independent review"


def test_citations_without_status_or_named_document_are_dropped():
    assert mentions_of("Members discussed Recommendation 7 at length.") == []
