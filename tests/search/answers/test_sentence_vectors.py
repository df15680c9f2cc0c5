"""The sentence-vector cache: what the model returns, without embedding a sentence twice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from search.answers.sentence_vectors import SentenceVectorCache
from search.embedding import Embedder


class CountingEmbedder:
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.texts: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return self.model.embed_passages(texts)


SENTENCES = [
    "The DSL must refer to the MASH within two hours of the concern being raised.",
    "Governing bodies must review filtering and monitoring at least once every school year.",
    "Schools must inform the Children Missing Education Team after 5 consecutive school days.",
]


def test_cached_vectors_are_the_models_and_each_sentence_is_embedded_once(embedder: Embedder) -> None:
    counting = CountingEmbedder(embedder)
    cache = SentenceVectorCache(100)
    first = cache.embed(SENTENCES[:2], counting)
    again = cache.embed([SENTENCES[1], SENTENCES[2], SENTENCES[1]], counting)
    assert counting.texts == SENTENCES  # the repeated sentence went through the model once
    fresh = np.asarray(embedder.embed_passages(SENTENCES), dtype=np.float32)
    # The int8 model quantises each batch on its own, so a sentence's vector moves a little with its batch.
    assert np.diag(first @ fresh[:2].T).min() > 0.98
    assert np.diag(again @ fresh[[1, 2, 1]].T).min() > 0.98
    assert float(again[0] @ again[2]) == pytest.approx(1.0, abs=1e-6)
    assert (cache.hits, cache.misses) == (2, 3)


def test_the_least_recently_used_sentence_goes_first(embedder: Embedder) -> None:
    counting = CountingEmbedder(embedder)
    cache = SentenceVectorCache(2)
    cache.embed(SENTENCES[:2], counting)
    cache.embed(SENTENCES[:1], counting)  # the first is used again, so the second is now the oldest
    cache.embed(SENTENCES[2:], counting)
    assert len(cache) == 2
    counting.texts.clear()
    cache.embed(SENTENCES, counting)
    assert counting.texts == [SENTENCES[1]]


def test_capacity_zero_keeps_nothing(embedder: Embedder) -> None:
    counting = CountingEmbedder(embedder)
    cache = SentenceVectorCache(0)
    cache.embed(SENTENCES[:1], counting)
    cache.embed(SENTENCES[:1], counting)
    assert counting.texts == SENTENCES[:1] * 2 and len(cache) == 0
    assert cache.embed([], counting).shape == (0, 0)
