"""Extraction on the real inspection reports, reviews and committee papers of ../shared/corpus-real.

The figures are printed (run with -s to see them); the assertions hold them at the level reached.
"""

from __future__ import annotations

import pytest

from tests.conftest import require_corpus_real
from tests.ingest.recommendations.labelled import (
    check_negatives,
    check_precision_and_recall,
    check_verbatim,
    extract_files,
)

LABELLED_FILES = (
    "ofsted-greenwich-sif-and-lscb-review-2016-08-05.pdf",
    "ofsted-herefordshire-focused-visit-2019-02-14.pdf",
    "ofsted-herefordshire-focused-visit-2020-01-21-peer-on-peer.pdf",
    "ofsted-herefordshire-focused-visit-2021-08-16.pdf",
    "ofsted-herefordshire-ilacs-inspection-2018-07-23.pdf",
    "ofsted-herefordshire-ilacs-inspection-2022-09-21.pdf",
    "ofsted-herefordshire-ilacs-inspection-2026-01-12.pdf",
    "ofsted-west-northamptonshire-focused-visit-2025-05-20.pdf",
    "london-scp-rapid-reviews-analysis-report-2025.pdf",
    "kent-cc-corporate-parenting-panel-minutes-2024-10-29.pdf",
    "kent-cc-county-council-minutes-2025-03-13.pdf",
    "kent-cc-scrutiny-call-in-family-hubs-report-to-cabinet-2025-03-04.pdf",
    "kent-cc-scrutiny-call-in-family-hubs-report-to-county-council-2025-03-13.pdf",
)


@pytest.fixture(scope="module")
def real_extraction():
    corpus = require_corpus_real()
    return extract_files([corpus / name for name in LABELLED_FILES], corpus)


def test_precision_and_recall_on_the_real_documents(real_extraction):
    check_precision_and_recall("real-labelled.toml", real_extraction, "real documents")


def test_every_real_record_is_verbatim_on_its_page(real_extraction):
    check_verbatim(real_extraction)


def test_decisions_sought_and_reported_recommendations_yield_none(real_extraction):
    check_negatives("real-labelled.toml", real_extraction)
    for name in LABELLED_FILES:
        if name.startswith("kent-"):
            assert real_extraction[name.removesuffix(".pdf")][1] == [], name


def test_bullets_stop_at_the_next_heading(real_extraction):
    _, records = real_extraction["ofsted-herefordshire-focused-visit-2019-02-14"]
    assert [r.number for r in records] == ["item 1", "item 2", "item 3", "item 4"]
    assert records[-1].text == (
        "Understanding the experiences of children and families subject to repeat child in need assessments."
    )
    _, london = real_extraction["london-scp-rapid-reviews-analysis-report-2025"]
    assert len(london) == 10 and not any("Rapid Reviews" == r.text[-13:] for r in london)
    assert all(
        r.made_by == "inspectorate" for r in real_extraction["ofsted-herefordshire-ilacs-inspection-2022-09-21"][1]
    )
