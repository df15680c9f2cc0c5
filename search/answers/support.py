"""Does a cited passage support a sentence? A score in [0, 1] for checking generated answers.

A generated sentence counts as supported only when the passage it cites says the same thing. Word
overlap alone is fooled by a sentence that repeats the passage's words with one fact changed
("within 5 days" against "within 10 days", "must" against "must not"), so the score combines:

- content-word recall: the share of the claim's content words (lower-cased, stopwords dropped,
  lightly stemmed) that the passage contains;
- meaning: with an embedder, the cosine similarity between the claim and the passage sentence
  closest to it (paraphrases score high even when they share few words);
- a penalty for facts the passage does not state: a number or duration in the claim that the
  passage lacks, a negation in the claim that the passage lacks, or a passage that negates what
  the claim asserts. Each kind of mismatch halves the score, so one is enough to fall below
  :data:`SUPPORT_THRESHOLD`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

SUPPORT_THRESHOLD = 0.6
"""The score at or above which a passage supports a claim.

Chosen on the hand-made set in ``tests/search/answers/test_support.py`` (28 claims built from
sample-corpus paragraphs: close paraphrases, paraphrases in other words or with numbers spelled
differently, claims with an altered number, duration or negation, and unrelated or merely related
claims), scored with the packaged all-MiniLM-L6-v2 model. Supported claims scored 0.73 to 0.98;
unsupported ones 0.10 to 0.48 (the highest, 0.48, a claim from the same procedure but another
paragraph). A mismatch halves a score, so a penalised claim can never pass 0.5. 0.6 sits near the
middle of the gap (0.48 to 0.73) and above every penalised score; a test keeps a margin around it.
"""

MISMATCH_FACTOR = 0.5
"""What each kind of factual mismatch (numbers, negation) multiplies the score by."""

RECALL_WEIGHT = 0.4
"""Weight of content-word recall when an embedder is given; the cosine similarity has the rest."""


class PassageEmbedder(Protocol):
    """What :func:`support_score` needs of an embedder (``search.embedding.Embedder`` has it)."""

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Normalised embeddings of ``texts``, in order."""
        ...


STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my
    of off on once only or other our ours out over own same she so some such than that the their
    theirs them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours must should may might
    shall need needs ought
    """.split()
)
"""Words that carry no content of their own. Modal verbs are here: obligation strength is
tagged separately, and 'must'/'should' paraphrase each other too often to count against a claim."""

NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "cannot", "neither", "nobody", "nothing"})

NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "first": "1",
    "third": "3",
    "fourth": "4",
    "fifth": "5",
    "sixth": "6",
    "twice": "2",
}
"""Number words read as digits, so 'two working days' and '2 working days' agree."""

UNITS = frozenset({"minute", "hour", "day", "week", "month", "year", "term", "episode", "percent"})
"""Words that give a number its meaning; a claim's number must appear with the same unit."""

UNIT_QUALIFIERS = frozenset({"working", "school", "consecutive", "calendar", "clear", "full", "business"})

NEGATION_SCOPE = 3
"""How many words after 'not'/'never' a negation reaches ('must not promise confidentiality')."""

_NEGATING_PHRASES = re.compile(r"\b(?:other than|rather than|instead of|except)\b")
"""Phrases that negate what follows ('someone other than the social worker'); read as 'not'."""

_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[a-z]+(?:'[a-z]+)?|%")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("n't", " not")
    text = _NEGATING_PHRASES.sub(" not ", text)
    return [_normalise_number(token) for token in _TOKEN.findall(text)]


def _normalise_number(token: str) -> str:
    if token[0].isdigit():
        return token.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token) else token
    return token


def stem(word: str) -> str:
    """A light stem, enough to match 'referrals'/'referral' and 'offered'/'offer'."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if word.endswith("'s"):
        word = word[:-2]
    if word[0].isdigit():
        return word
    if len(word) <= 4:
        # Short plurals too ('days', 'gps'), but not 'this', 'bus'.
        return word[:-1] if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    # 'offering'/'offered' -> 'offer', 'shared' -> 'shar', 'share' -> 'shar': drop a final 'e' too.
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_words(text: str) -> set[str]:
    """The stems of ``text``'s words that carry content (stopwords and negations dropped)."""
    return {stem(t) for t in _tokens(text) if t not in STOPWORDS and t not in NEGATIONS and t != "%"}


def content_recall(claim: str, passage: str) -> float:
    """Share of the claim's content words that appear in the passage (1.0 for a claim with none)."""
    wanted = content_words(claim)
    if not wanted:
        return 1.0
    return len(wanted & content_words(passage)) / len(wanted)


def quantities(text: str) -> set[tuple[str, str | None]]:
    """The numbers of ``text``, each with the unit that follows it (or None): {('10', 'day'), ...}."""
    tokens = _tokens(text)
    found: set[tuple[str, str | None]] = set()
    for i, token in enumerate(tokens):
        number = NUMBER_WORDS.get(token, token)
        if not number[0].isdigit():
            continue
        unit = None
        for following in tokens[i + 1 : i + 4]:
            if following in UNIT_QUALIFIERS:
                continue
            if following in ("%", "per", "percent"):
                unit = "percent"
            elif stem(following) in UNITS:
                unit = stem(following)
            break
        found.add((number, unit))
    return found


def missing_quantities(claim: str, passage: str) -> set[tuple[str, str | None]]:
    """The claim's numbers (with their units) that the passage does not state."""
    stated = quantities(passage)
    numbers = {number for number, _ in stated}
    return {
        (number, unit)
        for number, unit in quantities(claim)
        if (number, unit) not in stated and not (unit is None and number in numbers)
    }


def _negated_words(text: str) -> set[str]:
    words = _tokens(text)
    negated: set[str] = set()
    for i, word in enumerate(words):
        if word in NEGATIONS:
            negated.update(stem(w) for w in words[i + 1 : i + 1 + NEGATION_SCOPE] if w not in STOPWORDS)
    return negated


def negation_mismatch(claim: str, passage: str) -> bool:
    """True when the claim negates what the passage does not, or the passage negates what the claim asserts."""
    claim_negated = _negated_words(claim)
    passage_negated = _negated_words(passage)
    if any(word in NEGATIONS for word in _tokens(claim)):
        if claim_negated and not claim_negated & passage_negated:
            return True
        if not claim_negated and not any(word in NEGATIONS for word in _tokens(passage)):
            return True
    asserted = content_words(claim) - claim_negated
    return bool(asserted & (passage_negated - content_words_outside_negation(passage)))


def content_words_outside_negation(passage: str) -> set[str]:
    """Content words the passage also uses outside the reach of a negation (so it asserts them somewhere)."""
    words = _tokens(passage)
    outside: set[str] = set()
    reach = 0
    for word in words:
        if word in NEGATIONS:
            reach = NEGATION_SCOPE
            continue
        if reach:
            reach -= 1
            continue
        if word not in STOPWORDS:
            outside.add(stem(word))
    return outside


def split_passage(passage: str) -> list[str]:
    """The passage's sentences, split simply at sentence ends and line breaks."""
    parts = [part.strip() for part in _SENTENCE_END.split(passage)]
    return [part for part in parts if part] or [passage]


def best_sentence_similarity(claim: str, passage: str, embedder: PassageEmbedder) -> float:
    """Cosine similarity (clamped to [0, 1]) between the claim and the passage sentence closest to it."""
    sentences = split_passage(passage)
    vectors = embedder.embed_passages([claim, *sentences])
    claim_vector, sentence_vectors = vectors[0], vectors[1:]
    best = max(sum(a * b for a, b in zip(claim_vector, vector, strict=True)) for vector in sentence_vectors)
    return min(1.0, max(0.0, best))


def support_score(claim: str, passage: str, *, embedder: PassageEmbedder | None = None) -> float:
    """How well ``passage`` supports the sentence ``claim``, from 0 (not at all) to 1.

    Parameters:
        claim: one sentence (citation markers already removed).
        passage: the cited text.
        embedder: the embedding model; without it the score rests on word recall alone (stricter).

    Returns the weighted mix of content-word recall and best-sentence similarity, halved for each
    kind of mismatch (a number or duration the passage does not state, a negation that differs).
    """
    if not claim.strip() or not passage.strip():
        return 0.0
    recall = content_recall(claim, passage)
    if embedder is not None:
        score = RECALL_WEIGHT * recall + (1 - RECALL_WEIGHT) * best_sentence_similarity(claim, passage, embedder)
    else:
        score = recall
    if missing_quantities(claim, passage):
        score *= MISMATCH_FACTOR
    if negation_mismatch(claim, passage):
        score *= MISMATCH_FACTOR
    return score


def is_supported(
    claim: str, passage: str, *, embedder: PassageEmbedder | None = None, threshold: float = SUPPORT_THRESHOLD
) -> bool:
    """True when ``passage`` supports ``claim`` (its :func:`support_score` reaches ``threshold``)."""
    return support_score(claim, passage, embedder=embedder) >= threshold
