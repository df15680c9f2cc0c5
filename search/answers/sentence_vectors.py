"""Embeddings of candidate answer sentences, kept in a bounded cache for the life of the service.

The same passages come back for related questions (and the app asks many questions of one
store), so a sentence embedded once is looked up by its text afterwards instead of going through
the model again. The cache is a least-recently-used map from a sentence's text to its vector,
safe to share between the threads of the app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class SentenceEmbedder(Protocol):
    """What the cache needs of a model (``search.embedding.Embedder`` has it)."""

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Normalised embeddings of ``texts``, in order."""
        ...


class SentenceVectorCache:
    """A least-recently-used cache of sentence embeddings, keyed by the sentence's text.

    Parameters:
        capacity: most sentences kept (0 turns the cache off: every call embeds).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, texts: Sequence[str], embedder: SentenceEmbedder) -> np.ndarray:
        """The embeddings of ``texts`` (a float32 row each, in order), embedding only those not cached.

        Parameters:
            texts: the sentences.
            embedder: the model for the sentences not in the cache.

        Returns an array of shape ``(len(texts), dimension)``; empty ``(0, 0)`` for no texts.
        """
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = np.asarray(embedder.embed_passages(missing), dtype=np.float32)
            found.update(zip(missing, fresh, strict=True))
            if self.capacity > 0:
                with self._lock:
                    for text, vector in zip(missing, fresh, strict=True):
                        self._vectors[text] = vector
                        self._vectors.move_to_end(text)
                    while len(self._vectors) > self.capacity:
                        self._vectors.popitem(last=False)
        return np.stack([found[text] for text in texts])
