"""Extraction on small hand-written pages: numbering styles, malformed numbering, page breaks, look-alikes."""

from __future__ import annotations

from ingest.recommendations.extraction import extract_recommendations
from search.models import DocumentRecord
from search.recommendations.verbatim import quote_on_pages

FOOTER = "Anyshire Safeguarding Partnership - Thematic review of neglect - Page {n} of {total}"


def review(pages: list[str], doc_type: str = "review", paged: bool = True) -> DocumentRecord:
    return DocumentRecord(
        doc_id="anyshire-review",
        title="Thematic review of neglect",
        doc_type=doc_type,
        source="anyshire.pdf",
        content_hash="-",
        publisher="Anyshire Safeguarding Partnership",
        published="2023-05-01",
        pages=len(pages) if paged else None,
    )


def paged(*bodies: str) -> list[str]:
    return [f"{body}\n{FOOTER.format(n=n, total=len(bodies))}" for n, body in enumerate(bodies, start=1)]


def texts(pages: list[str], **kwargs) -> list[str]:
    records, _ = extract_recommendations(review(pages, **kwargs), pages)
    for record in records:
        assert quote_on_pages(record.text, pages, record.page, record.page_end), record
    return [record.text for record in records]


def test_keyword_numbering_with_a_repeat_and_a_gap_is_kept_in_order():
    pages = paged(
        "5. Recommendations\n"
        "Recommendation 1: The partnership should publish a neglect strategy.\n"
        "Recommendation 2 - Health visitors should use the neglect toolkit at every visit.\n"
        "Recommendation 2: Schools should record attendance concerns on the child's file.\n"
        "Recommendation 5. The board should audit neglect cases within a year.\n"
        "6. Conclusion\nThe review ends here with a general remark.",
        "Appendix\nNothing else.",
        "Glossary\nNothing more.",
    )
    records, _ = extract_recommendations(review(pages), pages)
    assert [r.number for r in records] == ["1", "2", "2", "5"]
    assert [r.key for r in records] == ["R1", "R2", "R2-2", "R5"]
    assert records[1].text == "Health visitors should use the neglect toolkit at every visit."


def test_r_numbers_and_word_numbers():
    pages = paged(
        "Recommendations\nR1: The council should appoint a neglect lead for each locality.\n"
        "R2: The police should share domestic abuse notifications with schools the next day.",
        "Recommendation three: The board should ask for an annual report on neglect.\n\nEnd of report.",
        "Back page",
    )
    assert texts(pages) == [
        "The council should appoint a neglect lead for each locality.",
        "The police should share domestic abuse notifications with schools the next day.",
        "The board should ask for an annual report on neglect.",
    ]


def test_a_recommendation_running_on_to_the_next_page_past_the_footer():
    pages = paged(
        "Recommendations\n1. The partnership should commission training on neglect for all\nearly years",
        "practitioners, including childminders, by March 2024.\n2. The board should review this in 2025.",
        "Annex\nNothing.",
    )
    records, _ = extract_recommendations(review(pages), pages)
    assert records[0].text == (
        "The partnership should commission training on neglect for all early years practitioners, "
        "including childminders, by March 2024."
    )
    assert (records[0].page, records[0].page_end) == (1, 2)


def test_a_table_of_contents_and_a_list_of_attendees_are_not_recommendations():
    pages = paged(
        "Contents\n1. Introduction 3\n2. Findings 5\nRecommendations 9\n"
        "6. Recommendations\n7. Next steps for the partnership\n8. Glossary of the terms used",
        "Present:\n1. Councillor A. Smith (Chair)\n2. Councillor B. Jones, Vice-Chair\n3. Mr C. Patel, co-opted member",
        "Findings\nThe partnership has improved its work on neglect since 2019.",
    )
    assert texts(pages) == []


def test_decisions_sought_from_a_meeting_are_not_recommendations():
    pages = paged(
        "Recommendations\nThe Committee is asked to:\n(a) note the report;\n(b) agree the action plan at Appendix 2.",
        "Recommendation:\nThat Cabinet:\n1. Approves the budget for the neglect strategy in full.\n2. Thanks officers for their work.",
        "Background papers: none.",
    )
    assert texts(pages) == []


def test_reviews_and_committee_papers_only_not_guidance():
    pages = paged("Recommendations\n1. Schools should record every concern on the same day.", "x", "y")
    assert texts(pages, doc_type="guidance") == []
    assert len(texts(pages, doc_type="committee_paper")) == 1


def test_sentences_that_make_recommendations_and_ones_that_do_not():
    pages = paged(
        "4.1 Practitioners found the toolkit long. The review recommends that the partnership shortens the\n"
        "toolkit to ten questions.\n"
        "4.2 It is recommended that health visitors receive refresher training every year.\n"
        "4.3 In 2019 it was recommended that the council review all cases of neglect.\n"
        "4.4 The panel discussed whether to recommend that schools employ a neglect champion.\n"
        "4.5 We recommend a single referral form for all agencies.",
        "Annex\nNothing.",
        "Back\nNothing.",
    )
    records, _ = extract_recommendations(review(pages), pages)
    assert [(r.number, r.text) for r in records] == [
        ("para 4.1", "The review recommends that the partnership shortens the toolkit to ten questions."),
        ("para 4.2", "It is recommended that health visitors receive refresher training every year."),
        ("para 4.5", "We recommend a single referral form for all agencies."),
    ]
    assert records[0].addressee == "partnership"


def test_formats_without_pages_read_one_paragraph_per_line():
    text = (
        "Recommendations\nRecommendation 1: Schools should tell parents the outcome of a referral.\n"
        "This paragraph is a conclusion, not part of the recommendation.\n"
    )
    records, _ = extract_recommendations(review([text], paged=False), [text])
    assert [r.text for r in records] == ["Schools should tell parents the outcome of a referral."]


def test_a_document_with_no_recommendations_yields_none():
    pages = paged(
        "Introduction\nThis report describes the work of the board in 2023.",
        "Findings\nAll is well.",
        "Conclusion\nThe board thanks everyone.",
    )
    records, mentions = extract_recommendations(review(pages), pages)
    assert records == [] and mentions == []
