"""Synthetic passages for latency at scale: Zipf-distributed real words and random unit vectors.

Everything is a pure function of a seed and an index, so our store and the baseline get exactly
the same chunks, and the 300k store is the 100k store plus more documents.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

DIMENSION = 384
WORDS_PER_CHUNK = 150
CHUNKS_PER_DOCUMENT = 100
_WORD = re.compile(r"[a-z]{2,}")


@dataclass(frozen=True)
class SyntheticDocument:
    """One synthetic document: its id, and its chunks' texts and unit embeddings."""

    doc_id: str
    texts: list[str]
    embeddings: np.ndarray


class SyntheticCorpus:
    """Passages of ``WORDS_PER_CHUNK`` words drawn from a Zipf law over a real vocabulary.

    Parameters:
        texts: real documents whose words, ranked by frequency, form the vocabulary.
        vocabulary_size: how many of the most frequent words to keep.
        exponent: the Zipf exponent (about 1 for English).
        seed: the seed everything derives from.
    """

    def __init__(self, texts: Iterable[str], *, vocabulary_size: int = 20000, exponent: float = 1.07,
                 seed: int = 7) -> None:
        counts = Counter(word for text in texts for word in _WORD.findall(text.lower()))
        if len(counts) < 100:
            raise ValueError("the real texts hold fewer than 100 distinct words: give more documents")
        self.words = np.array([word for word, _ in counts.most_common(vocabulary_size)], dtype=object)
        weights = 1.0 / np.arange(1, len(self.words) + 1) ** exponent
        self.cumulative = np.cumsum(weights / weights.sum())
        self.seed = seed

    def _rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        picks = np.searchsorted(self.cumulative, rng.random(shape), side="right")
        return np.minimum(picks, len(self.words) - 1)

    def document(self, number: int) -> SyntheticDocument:
        """Document ``number``: ``CHUNKS_PER_DOCUMENT`` passages and their embeddings."""
        rng = self._rng(1, number)
        words = self.words[self._draw(rng, (CHUNKS_PER_DOCUMENT, WORDS_PER_CHUNK))]
        texts = [" ".join(row) for row in words]
        return SyntheticDocument(f"syn{number:06d}", texts, unit_vectors(rng, CHUNKS_PER_DOCUMENT))

    def queries(self, count: int) -> list[tuple[str, np.ndarray]]:
        """``count`` (query text, query embedding): 2 to 5 mid-frequency words and a random unit vector."""
        rng = self._rng(2)
        low, high = min(50, len(self.words) // 4), min(5000, len(self.words))
        queries = []
        for _ in range(count):
            words = self.words[rng.integers(low, high, size=int(rng.integers(2, 6)))]
            queries.append((" ".join(words), unit_vectors(rng, 1)[0]))
        return queries


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` random float32 vectors of length 1 in ``DIMENSION`` dimensions."""
    matrix = rng.standard_normal((count, DIMENSION), dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
