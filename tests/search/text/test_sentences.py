"""Sentences come out whole, with exact offsets, from synthetic prose and a real KCSIE page."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from search.text.sentences import clean, sentence_spans, split_sentences

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus-real"
KCSIE = CORPUS / "dfe-keeping-children-safe-in-education-2024.pdf"


def _texts(text: str) -> list[str]:
    triples = split_sentences(text)
    for start, end, sentence in triples:
        assert text[start:end] == sentence  # offsets index the original text exactly
        assert sentence == sentence.strip()
    return [clean(sentence) for _, _, sentence in triples]


def test_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Agencies, e.g. the police, must share records, i.e. notes and letters etc. with the MASH. "
        "See para. 4 and paras. 6 to 8, cf. the 2018 guidance. Mr. Hale and Dr. Penrose met at St. Mary's "
        "school. Item No. 5 was deferred. The LA vs. the school was discussed. Staff recorded letters, "
        "numbers, dates etc. Schools must act."
    )
    assert _texts(text) == [
        "Agencies, e.g. the police, must share records, i.e. notes and letters etc. with the MASH.",
        "See para. 4 and paras. 6 to 8, cf. the 2018 guidance.",
        "Mr. Hale and Dr. Penrose met at St. Mary's school.",
        "Item No. 5 was deferred.",
        "The LA vs. the school was discussed.",
        "Staff recorded letters, numbers, dates etc.",
        "Schools must act.",
    ]


def test_numbered_paragraph_markers_belong_to_their_sentence() -> None:
    text = (
        "114. Schools must share information. They should act early.\n"
        "4.3 The MASH must decide within one working day.\n"
        "4.3.1 Where consent is refused, record why.\n"
        "5 children were seen in total."
    )
    assert _texts(text) == [
        "114. Schools must share information.",
        "They should act early.",
        "4.3 The MASH must decide within one working day.",
        "4.3.1 Where consent is refused, record why.",
        "5 children were seen in total.",
    ]


def test_each_bullet_item_is_a_sentence_and_the_lead_in_stays_apart() -> None:
    text = (
        "The DSL should:\n"
        "• record the concern\n"
        "• tell the MASH the same day\n"
        "- keep the child informed\n"
        "– review the plan\n"
        "o check the outcome\n"
        "(a) refer to the police\n"
        "b) inform the parents. Then close the case\n"
    )
    assert _texts(text) == [
        "The DSL should:",
        "• record the concern",
        "• tell the MASH the same day",
        "- keep the child informed",
        "– review the plan",
        "o check the outcome",
        "(a) refer to the police",
        "b) inform the parents.",
        "Then close the case",
    ]


def test_pdf_wraps_join_and_blank_lines_and_headings_split() -> None:
    text = (
        "Schools and colleges should work with local authority children’s social care, \n"
        "the police and other inter-\n"
        "agency partners to protect children\n"
        "\n"
        "Information sharing\n"
        "Staff should share information\n"
        "early.\n"
    )
    assert _texts(text) == [
        "Schools and colleges should work with local authority children’s social care, the police and other "
        "inter-agency partners to protect children",
        "Information sharing",
        "Staff should share information early.",
    ]


def test_footnote_mark_stays_with_its_sentence() -> None:
    assert _texts("The harm test is met.36 For example, a refuge.") == [
        "The harm test is met.36",
        "For example, a refuge.",
    ]


def test_sentences_cover_every_character_once() -> None:
    text = "Intro\n\n1. First point.\n• a bullet\n  wrapped here.  Second sentence!\n\n  Tail"
    covered = "".join(sentence for _, _, sentence in split_sentences(text))
    assert covered.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_sentence_spans_keeps_its_behaviour_for_chunking() -> None:
    text = "xx Schools must act, e.g. Social care. Mr. Smith agreed! Then? Done"
    assert [text[s:e] for s, e in sentence_spans(text, 3)] == [
        "Schools must act, e.g. Social care.",
        "Mr. Smith agreed!",
        "Then?",
        "Done",
    ]


@pytest.mark.skipif(not KCSIE.is_file(), reason=f"real corpus not found at {CORPUS}")
def test_kcsie_2024_page_33_paragraph_114() -> None:
    page = pypdf.PdfReader(KCSIE).pages[32].extract_text()
    sentences = _texts(page)
    assert sentences[0] == "33"  # the page number is a line of its own, not part of paragraph 112
    assert "Information sharing" in sentences  # a heading between paragraphs
    i = sentences.index("Information sharing")
    assert sentences[i + 1] == (
        "114. Information sharing is vital in identifying and tackling all forms of abuse, neglect, and "
        "exploitation, and in promoting children’s welfare, including in relation to their educational outcomes."
    )
    assert sentences[i + 2] == (
        "Schools and colleges have clear powers to share, hold and use information for these purposes."
    )
    assert sentences[i + 3].startswith("115. As part of meeting a child’s needs")
    assert sentences[-1] == "This includes:"
    assert sum(s[:4].rstrip(".").isdigit() for s in sentences) == 8  # "33" and paragraphs 112 to 118
