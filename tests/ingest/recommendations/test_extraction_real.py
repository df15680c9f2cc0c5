"""Extraction on the real inspection reports, reviews and committee papers of ../shared/corpus-real.

The figures are printed (run with -s to see them); the assertions hold them at the level reached.
"""

from __future__ import annotations

import pytest

from search.recommendations.verbatim import quote_on_pages, searchable
from tests.conftest import require_corpus_real
from tests.ingest.recommendations.labelled import extract_file, read_labels, score

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
    found = {}
    for name in LABELLED_FILES:
        document, pages, records = extract_file(corpus / name, corpus)
        found[document.doc_id] = (pages, records)
    return found


def test_precision_and_recall_on_the_real_documents(real_extraction):
    labels, _ = read_labels("real-labelled.toml")
    result = score(labels, {doc_id: records for doc_id, (_, records) in real_extraction.items()})
    print(
        f"\nreal documents: precision {result.precision:.3f}, recall {result.recall:.3f} "
        f"({result.true_positives} of {result.labelled} labelled, {result.extracted} extracted)"
    )
    assert result.precision >= 0.9, [(doc, r.page, r.text[:60]) for doc, r in result.spurious]
    assert result.recall >= 0.9, result.missed


def test_every_real_record_is_verbatim_on_its_page(real_extraction):
    for doc_id, (pages, records) in real_extraction.items():
        for record in records:
            assert quote_on_pages(record.text, pages, record.page, record.page_end), (doc_id, record.key)


def test_decisions_sought_and_reported_recommendations_yield_none(real_extraction):
    _, negatives = read_labels("real-labelled.toml")
    for negative in negatives:
        _, records = real_extraction[negative["doc_id"]]
        quote = searchable(negative["quote"]).lower()
        assert not [r.key for r in records if quote in searchable(r.text).lower()], negative["why"]
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
