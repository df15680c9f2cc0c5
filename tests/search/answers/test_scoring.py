"""Lexical scoring of answer sentences: stems, answer types, duties, sources and non-answers (no model)."""

from __future__ import annotations

import math

import pytest

from search.answers.scoring import (
    ANSWER_TYPE_BONUS,
    NO_ANSWER_PENALTY,
    QuestionProfile,
    inverse_frequencies,
    sentence_features,
    stems_of,
)
from search.models import SearchHit


def hit(
    doc_type: str = "guidance",
    *,
    title: str = "Marshfield Schools Safeguarding Guidance 2024",
    publisher: str = "Marshfield County Council",
    published: str = "2024-09-02",
    section: str | None = None,
) -> SearchHit:
    return SearchHit(
        doc_id="d",
        title=title,
        doc_type=doc_type,
        publisher=publisher,
        published=published,
        source="d.pdf",
        page=1,
        page_end=1,
        section=section,
        paragraph=None,
        score=1.0,
        text="",
        snippet="",
        char_start=0,
        char_end=0,
        chunk_id="d-1",
    )


def features(question: str, sentence: str, source: SearchHit | None = None, *, titles: tuple[str, ...] = ()):
    profile = QuestionProfile.of(question)
    stems = stems_of(sentence)
    return sentence_features(
        profile,
        sentence,
        set(stems),
        source or hit(),
        0,
        idf={},
        default_idf=1.0,
        titles=[" ".join(stems_of(t)) for t in titles],
        ordered=stems,
    )


def test_stems_meet_across_plurals_suffixes_and_acronym_plurals() -> None:
    assert stems_of("DSLs must refresh their training") == stems_of("the DSL must complete refresher trainings")[:1] + [
        "refresh",
        "train",
    ]
    assert stems_of("children") == stems_of("child")
    assert stems_of("moved classes") == stems_of("move class")
    assert stems_of("What must the school do?") == ["school"]  # stopwords and modals carry no content


@pytest.mark.parametrize(
    ("question", "types"),
    [
        ("How often do governors renew their safeguarding training?", ("frequency",)),
        ("By when does his safety plan have to reach the new DSL?", ("deadline",)),
        ("How many cases does the group have to audit every year?", ("quantity",)),
        ("When did the 2020 review say the re-audit should take place?", ("date",)),
        ("What did the LSCB audit in 2016 recommend about recording?", ("recommendation",)),
        ("Has the recommendation on an advisory group been implemented?", ("status",)),
        ("Why had the 2016 recommendation not been delivered?", ("status", "reason")),
        ("Who is the designated safeguarding lead?", ()),
    ],
)
def test_question_says_what_kind_of_answer_it_wants(question: str, types: tuple[str, ...]) -> None:
    assert QuestionProfile.of(question).answer_types == types


def test_a_sentence_stating_the_kind_of_answer_asked_for_is_raised() -> None:
    question = "How often should a designated safeguarding lead refresh the training?"
    frequency = features(question, "DSLs should refresh the training every three years.")
    none = features(question, "DSLs should complete the training with the partnership.")
    assert frequency.answer_type == ANSWER_TYPE_BONUS and none.answer_type < 0
    assert frequency.total > none.total


def test_duty_questions_raise_requirements_and_lower_findings() -> None:
    question = "Does the MASH have to tell the school what it decided?"
    assert QuestionProfile.of(question).duty
    requirement = features(
        question,
        "The MASH must tell the referrer the outcome of its decision in writing.",
        hit("procedure", publisher="Marshfield Safeguarding Children Partnership"),
    )
    finding = features(
        question, "In 11 cases the school was not told the outcome of the MASH decision at all.", hit("review")
    )
    assert requirement.duty > 0 > finding.duty
    national = features(
        question,
        "The MASH must tell the referrer the outcome of its decision in writing.",
        hit("guidance", publisher="Department for Education"),
    )
    assert national.duty > requirement.duty  # statutory guidance outranks a local procedure


def test_a_named_year_and_kind_of_document_raise_its_sentences() -> None:
    question = "What did the 2020 review find about recording decisions?"
    review = hit("review", title="Review of the handling of referrals to the MASH", published="2020-08-27")
    minutes = hit("minutes", title="Minutes of the Scrutiny Committee", published="2020-10-21")
    sentence = "In 14 of the 60 cases the record did not say why the decision was made."
    assert features(question, sentence, review).source > features(question, sentence, minutes).source


@pytest.mark.parametrize(
    "sentence",
    [
        "Councillor Bell asked why the recommendation on recording decisions had not been implemented.",
        "1.1 This report sets out the committee's consideration of the review of decisions in the MASH.",
        "- how referrals about sexual harm between children were received and decided in the MASH;",
        "The committee considered the Review of the handling of referrals to the MASH at its meeting.",
    ],
)
def test_questions_summaries_and_titles_are_not_answers(sentence: str) -> None:
    scored = features(
        "How were MASH decisions on referrals recorded?",
        sentence,
        titles=("Review of the handling of referrals to the MASH",),
    )
    assert scored.penalty >= NO_ANSWER_PENALTY


def test_a_sentence_that_only_restates_the_question_is_lowered() -> None:
    question = "What does the guidance say about filtering and monitoring?"
    assert features(question, "Filtering and monitoring guidance.").penalty > 0
    assert features(question, "Schools must test filtering and monitoring each term and record the test.").penalty == 0


def test_abbreviations_and_spelled_out_phrases_meet() -> None:
    profile = QuestionProfile.of("What training is expected of a designated safeguarding lead?")
    assert "dsl" in profile.with_acronyms(["DSLs should complete the training within a year."]).stems
    spelled = QuestionProfile.of("Who gives HSB advice to schools?").with_acronyms(
        ["The Harmful Sexual Behaviour Advice Service advises schools."]
    )
    assert {"harm", "sexual", "behaviour"} <= spelled.stems


def test_rare_words_weigh_more_than_common_ones() -> None:
    idf = inverse_frequencies([["mash", "decis"], ["mash", "record"], ["mash", "feedback"]])
    assert idf["feedback"] > idf["mash"] > 0
    assert idf["feedback"] == pytest.approx(math.log(1 + (3 - 1 + 0.5) / 1.5))
