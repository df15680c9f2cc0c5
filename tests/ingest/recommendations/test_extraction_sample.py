"""Extraction on the sample corpus against the hand-labelled list (target: precision and recall >= 0.9)."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLE_CORPUS
from tests.ingest.recommendations.labelled import (
    check_negatives,
    check_precision_and_recall,
    check_verbatim,
    extract_files,
)

SUPPORTED = (".pdf", ".docx", ".html", ".md")


@pytest.fixture(scope="module")
def sample_extraction():
    """Every sample document read as ingest reads it: {doc_id: (pages, records)}."""
    paths = [path for path in sorted(SAMPLE_CORPUS.iterdir()) if path.suffix in SUPPORTED]
    return extract_files(paths, SAMPLE_CORPUS)


def test_precision_and_recall_on_the_sample_corpus(sample_extraction):
    check_precision_and_recall("sample-labelled.toml", sample_extraction, "sample corpus")


def test_every_record_is_verbatim_on_its_page(sample_extraction):
    check_verbatim(sample_extraction)


def test_a_recommendation_split_across_pages_is_read_whole(sample_extraction):
    pages, records = sample_extraction["marshfield-mash-peer-on-peer-review-2020"]
    split = next(r for r in records if r.key == "R5")
    assert (split.page, split.page_end) == (10, 11)
    assert split.text.startswith("The MASH should consider the needs of the child alleged to")
    assert split.text.endswith("Measure: proportion of cases with a decision recorded for both children.")
    assert "Fictional sample document" not in split.text  # the page footer between the halves is skipped


def test_passages_that_only_look_like_recommendations_yield_none(sample_extraction):
    check_negatives("sample-labelled.toml", sample_extraction)


def test_documents_without_recommendations_yield_none(sample_extraction):
    for doc_id in (
        "marshfield-cabinet-response-scrutiny-2020",
        "marshfield-scrutiny-minutes-2020-10-14",
        "marshfield-scrutiny-minutes-2021-11-17",
        "marshfield-statement-mash-review-2020",
        "marshfield-schools-safeguarding-guidance-2024",
        "mscp-practice-note-talking-with-children-hsb",
    ):
        assert sample_extraction[doc_id][1] == [], doc_id


def test_numbers_makers_and_addressees(sample_extraction):
    records = {r.key: r for r in sample_extraction["marshfield-lscb-mash-audit-2016"][1]}
    assert [records[f"R{n}"].number for n in range(1, 7)] == [str(n) for n in range(1, 7)]
    assert records["R3"].made_by == "review" and records["R3"].addressee == "MASH"
    assert records["R5"].addressee == "Board's training subgroup"
    scrutiny = {r.key: r for r in sample_extraction["marshfield-scrutiny-report-peer-on-peer-2020"][1]}
    assert scrutiny["R2"].made_by == "committee" and scrutiny["R2"].addressee == "Cabinet"
    challenge = {r.key: r for r in sample_extraction["marshfield-front-door-peer-challenge-2023"][1]}
    assert challenge["p5.2"].number == "para 5.2" and challenge["p5.2"].addressee == "council"
    annual = {r.key: r for r in sample_extraction["marshfield-scrutiny-annual-report-2021-22"][1]}
    assert annual["p4.1"].own_status == "accepted"
