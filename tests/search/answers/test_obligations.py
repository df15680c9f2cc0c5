"""The obligation tagger agrees with a hand-labelled set, finds the modal phrase, and kinds sentences."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from search.answers.obligations import obligation_of, obligation_phrase, sentence_kind

LABELLED = Path(__file__).with_name("obligations-labelled.tsv")


def _labelled() -> list[tuple[str, str, str]]:
    """(section, expected, sentence) rows; '# real: ...' / '# sample ...' / '# made-up ...' lines open sections."""
    rows, section = [], ""
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            section = line[2:].split(":")[0].split()[0]
        elif line.strip():
            expected, sentence = line.split("\t", 1)
            rows.append((section, expected, sentence))
    return rows


def test_labelled_set_is_big_enough_and_mostly_real() -> None:
    rows = _labelled()
    sections = Counter(section for section, _, _ in rows)
    labels = Counter(expected for _, expected, _ in rows)
    assert len(rows) >= 80
    assert sections["real"] >= 40
    assert set(labels) == {"must", "should", "may", "none"}
    assert min(labels.values()) >= 10


def test_tagger_agrees_with_every_hand_label() -> None:
    rows = _labelled()
    wrong = [
        (expected, obligation_of(s) or "none", s) for _, expected, s in rows if (obligation_of(s) or "none") != expected
    ]
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy == 1.0, wrong


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Staff must not share passwords.", "must not"),
        ("The DSL should never delay a referral.", "should never"),
        ("Governing bodies are expected to review the policy.", "are expected to"),
        ("The local authority has a duty to make enquiries.", "has a duty to"),
        ("Schools can choose to appoint a deputy.", "can choose to"),
        ("You may contact the MASH for advice.", "may"),
        # The strongest duty is highlighted, not the first modal.
        ("Schools should review the plan and must share it with the MASH.", "must"),
    ],
)
def test_obligation_phrase_spans_the_strongest_duty(sentence: str, phrase: str) -> None:
    span = obligation_phrase(sentence)
    assert span is not None
    assert sentence[span[0] : span[1]] == phrase


def test_obligation_phrase_is_none_without_a_duty() -> None:
    assert obligation_phrase("Unexplained absence may indicate abuse.") is None
    assert obligation_phrase("Staff should have been alerted sooner.") is None


@pytest.mark.parametrize(
    ("doc_type", "sentence", "kind"),
    [
        ("guidance", "Schools must share information with the MASH.", "requirement"),
        ("procedure", "Children may be at risk of exploitation.", "requirement"),
        ("review", "Recommendation 3: The MASH should record its reasons.", "recommendation"),
        ("review", "We recommend that the partnership audits decisions annually.", "recommendation"),
        ("minutes", "The committee recommended that officers report back in March.", "recommendation"),
        ("committee_paper", "It is recommended that Cabinet notes the report.", "recommendation"),
        ("review", "The MASH should agree a standard outcome letter.", "recommendation"),
        ("review", "Staff should have been alerted by the change in behaviour.", "finding"),
        ("review", "Half of the contacts had no recorded outcome.", "finding"),
        ("minutes", "Councillor Bell asked about waiting times.", "finding"),
        ("statement", "We are sorry for what happened.", "statement"),
        ("other", "Schools should publish their policy.", "statement"),
        ("statement", "We recommend that parents read the report.", "recommendation"),
    ],
)
def test_sentence_kind(doc_type: str, sentence: str, kind: str) -> None:
    assert sentence_kind(doc_type, sentence) == kind
