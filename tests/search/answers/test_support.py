"""Support scoring: paraphrases of a sample-corpus passage count, altered facts and unrelated claims do not.

The hand-made set below is also the set SUPPORT_THRESHOLD was tuned on (see its docstring).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search.answers.support import (
    SUPPORT_THRESHOLD,
    content_recall,
    is_supported,
    missing_quantities,
    negation_mismatch,
    split_passage,
    support_score,
)
from search.embedding import Embedder

SOURCES = Path(__file__).resolve().parents[3] / "corpus" / "sources"


def paragraph(source: str, number: str) -> str:
    """The text of the numbered paragraph ``number`` (e.g. '4.1' or '34.') of a sample-corpus source."""
    for line in (SOURCES / f"{source}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(number + " "):
            return line
    raise AssertionError(f"paragraph {number} not found in {source}")


MISSING = "marshfield-missing-children-procedure-2022"
SCHOOLS = "marshfield-schools-safeguarding-guidance-2023"
PEER = "marshfield-front-door-peer-challenge-2023"

RETURN_INTERVIEW = paragraph(MISSING, "4.1")
INTERVIEW_SHARING = paragraph(MISSING, "4.3")
REPEAT_EPISODES = paragraph(MISSING, "2.3")
MISSING_EDUCATION = paragraph(MISSING, "5.1")
DISCLOSURE = paragraph(SCHOOLS, "34.")
MASH_FEEDBACK = paragraph(SCHOOLS, "50.")
FILE_TRANSFER = paragraph(SCHOOLS, "93.")
LADO = paragraph(SCHOOLS, "101.")
PEER_RETURN_INTERVIEWS = paragraph(PEER, "5.1")

SUPPORTED = [
    # Close paraphrases.
    (
        "A child returning from a missing episode must be offered an independent return home interview "
        "within 72 hours.",
        RETURN_INTERVIEW,
    ),
    (
        "Information from a return home interview must be shared with the child's social worker and the police "
        "within two working days.",
        INTERVIEW_SHARING,
    ),
    (
        "Three or more missing episodes within 90 days must trigger a review of the child's needs by a MASH manager.",
        REPEAT_EPISODES,
    ),
    ("Staff must not promise confidentiality to a child who tells them about abuse.", DISCLOSURE),
    ("The MASH will tell the DSL the outcome of a referral in writing within three working days.", MASH_FEEDBACK),
    ("Only 54 per cent of return home interviews were completed within 72 hours.", PEER_RETURN_INTERVIEWS),
    # Paraphrases in other words, numbers written differently.
    ("The return home interview should be done by someone other than the child's social worker.", RETURN_INTERVIEW),
    ("Schools should follow up a pupil's unexplained absence on the first day.", MISSING_EDUCATION),
    (
        "When a child discloses abuse, staff must listen and reassure the child that they are taken seriously.",
        DISCLOSURE,
    ),
    (
        "The DSL must send the child protection file to the new school within 15 school days, separately from the "
        "main pupil file.",
        FILE_TRANSFER,
    ),
    (
        "An allegation that a member of staff has harmed a child must be reported by the head teacher to the LADO "
        "within 1 working day.",
        LADO,
    ),
    (
        "Schools must tell the Children Missing Education Team after ten consecutive school days of unexplained "
        "absence.",
        MISSING_EDUCATION,
    ),
]

UNSUPPORTED = [
    # Altered numbers and durations.
    (
        "A child returning from a missing episode must be offered an independent return home interview "
        "within 48 hours.",
        RETURN_INTERVIEW,
    ),
    ("A return home interview must be offered within 72 days of the child's return.", RETURN_INTERVIEW),
    (
        "Information from a return home interview must be shared with the child's social worker and the police "
        "within five working days.",
        INTERVIEW_SHARING,
    ),
    (
        "Two or more missing episodes within 90 days must trigger a review of the child's needs by a MASH manager.",
        REPEAT_EPISODES,
    ),
    ("The MASH will tell the DSL the outcome of a referral in writing within 5 working days.", MASH_FEEDBACK),
    (
        "An allegation that a member of staff has harmed a child must be reported to the LADO within three working "
        "days.",
        LADO,
    ),
    (
        "Schools must tell the Children Missing Education Team after 15 consecutive school days of unexplained "
        "absence.",
        MISSING_EDUCATION,
    ),
    # Negation flipped, either way.
    ("Staff may promise confidentiality to a child who tells them about abuse.", DISCLOSURE),
    ("The return home interview should be carried out by the child's social worker.", RETURN_INTERVIEW),
    ("Schools need not follow up unexplained absence on the first day.", MISSING_EDUCATION),
    ("The DSL must never transfer the child protection file separately from the main pupil file.", FILE_TRANSFER),
    # Unrelated, or related but not in this passage.
    ("Schools must have a clear policy on sexual violence and sexual harassment between children.", RETURN_INTERVIEW),
    ("Foster carers must report a missing child to the police without delay.", INTERVIEW_SHARING),
    ("The early help hub has been co-located with the MASH since 2021.", REPEAT_EPISODES),
    ("The MASH received 14,812 contacts in 2021-22.", MASH_FEEDBACK),
    ("Every school must have at least one trained deputy DSL.", LADO),
]


def test_set_is_built_from_the_corpus() -> None:
    assert "within 72 hours" in RETURN_INTERVIEW
    assert "must not promise confidentiality" in DISCLOSURE


@pytest.fixture(scope="module")
def scores(embedder: Embedder) -> dict[tuple[str, str], float]:
    """The support score of every pair of the set, computed once."""
    return {(c, p): support_score(c, p, embedder=embedder) for c, p in SUPPORTED + UNSUPPORTED}


@pytest.mark.parametrize(("claim", "passage"), SUPPORTED, ids=[c[:40] for c, _ in SUPPORTED])
def test_supported_claims_pass(claim: str, passage: str, scores: dict[tuple[str, str], float]) -> None:
    assert scores[claim, passage] >= SUPPORT_THRESHOLD, f"{scores[claim, passage]:.3f}: {claim}"


@pytest.mark.parametrize(("claim", "passage"), UNSUPPORTED, ids=[c[:40] for c, _ in UNSUPPORTED])
def test_unsupported_claims_fail(claim: str, passage: str, scores: dict[tuple[str, str], float]) -> None:
    assert scores[claim, passage] < SUPPORT_THRESHOLD, f"{scores[claim, passage]:.3f}: {claim}"


def test_is_supported_applies_the_threshold(embedder: Embedder) -> None:
    claim, passage = SUPPORTED[0]
    assert is_supported(claim, passage, embedder=embedder)
    assert not is_supported(claim, passage, embedder=embedder, threshold=1.01)
    assert not is_supported(*UNSUPPORTED[0], embedder=embedder)


def test_margin_around_the_threshold(scores: dict[tuple[str, str], float]) -> None:
    # The threshold must sit in a real gap, not on the edge of one case.
    lowest_supported = min(scores[pair] for pair in SUPPORTED)
    highest_unsupported = max(scores[pair] for pair in UNSUPPORTED)
    assert lowest_supported - SUPPORT_THRESHOLD >= 0.05
    assert SUPPORT_THRESHOLD - highest_unsupported >= 0.05


def test_altered_duration_is_unsupported_without_an_embedder() -> None:
    passage = "Schools must notify the team within 10 days of the absence."
    assert is_supported("Schools must notify the team within 10 days of the absence.", passage)
    assert not is_supported("Schools must notify the team within 5 days of the absence.", passage)
    assert not is_supported("Schools must notify the team within 10 weeks of the absence.", passage)


def test_missing_quantities_read_number_words_and_units() -> None:
    passage = "Information must be shared within two working days, and 14,812 contacts were received."
    assert missing_quantities("Share it within 2 working days.", passage) == set()
    assert missing_quantities("There were 14812 contacts.", passage) == set()
    assert missing_quantities("Share it within 2 hours.", passage) == {("2", "hour")}
    assert missing_quantities("Share it within 3 working days.", passage) == {("3", "day")}


def test_negation_mismatch_in_both_directions() -> None:
    passage = "The member of staff must listen and must not promise confidentiality."
    assert negation_mismatch("Staff may promise confidentiality.", passage)
    assert not negation_mismatch("Staff must never promise confidentiality.", passage)
    assert not negation_mismatch("Staff must listen.", passage)
    assert negation_mismatch("Staff must not listen.", passage)


def test_content_recall_uses_stems_and_drops_stopwords() -> None:
    assert content_recall("Referrals were offered", "each referral is offered") == 1.0
    assert content_recall("the and of", "anything") == 1.0
    assert content_recall("police strategy", "police") == 0.5


def test_empty_claim_or_passage_scores_zero() -> None:
    assert support_score("", "Some passage.") == 0.0
    assert support_score("A claim.", "  ") == 0.0


def test_split_passage_into_sentences() -> None:
    assert split_passage("First one. Second one? Third\nFourth") == ["First one.", "Second one?", "Third", "Fourth"]
