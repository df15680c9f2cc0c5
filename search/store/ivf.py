"""An inverted-file (IVF) index: unit vectors grouped by their nearest of a few hundred centroids.

A search scores the centroids, reads only the rows of the nearest few lists (contiguous slices of
one matrix, so each list is one small matrix-vector product) and scores those rows exactly. The
centroids come from spherical k-means on a seeded sample, so the same rows give the same index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ROWS_PER_CENTROID = 40
"""Training rows sampled per centroid (fewer leave centroids noisy, more only cost time)."""

FILTER_WIDENING = 0.5
"""A filter admitting a fraction f of the rows reads about f ** -FILTER_WIDENING times the rows of an
unfiltered search (measured at 300k rows: recall@10 0.99 or more for f from 0.1 to 0.5)."""

_BATCH = 8192


@dataclass(frozen=True)
class IvfLayout:
    """Centroids and where each list's rows lie in a matrix sorted by list.

    Attributes:
        centroids: (lists, dimension) float32, each of length 1.
        offsets: (lists + 1,) int64; list ``i`` holds rows ``offsets[i]:offsets[i + 1]``.
        trained_rows: how many rows the centroids were trained for (to know when to retrain).
    """

    centroids: np.ndarray
    offsets: np.ndarray
    trained_rows: int

    @property
    def lists(self) -> int:
        """Number of lists."""
        return len(self.centroids)

    def fits(self, rows: int, dimension: int) -> bool:
        """True when the arrays agree with each other and with a matrix of ``rows`` x ``dimension``."""
        offsets = self.offsets
        return (
            self.centroids.ndim == 2
            and self.centroids.shape[1] == dimension
            and offsets.shape == (self.lists + 1,)
            and int(offsets[0]) == 0
            and int(offsets[-1]) == rows
            and bool(np.all(np.diff(offsets) >= 0))
        )

    def list_of_rows(self) -> np.ndarray:
        """The list number of every row of the sorted matrix."""
        return np.repeat(np.arange(self.lists, dtype=np.int32), np.diff(self.offsets))


def list_count(rows: int) -> int:
    """Lists for an index of ``rows`` rows: about 2 * sqrt(rows).

    Fewer, larger lists than the usual 4 * sqrt(rows) cost a little more reading per probe but
    train and assign twice as fast; with 48 probes they keep recall@10 at 0.99 or more from 50k
    to 1M rows (docs/ann.md).
    """
    return max(1, min(rows // ROWS_PER_CENTROID, round(2 * math.sqrt(rows))))


def assign(matrix: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The nearest centroid (highest dot product) of every row, as int32."""
    found = np.empty(len(matrix), dtype=np.int32)
    for start in range(0, len(matrix), _BATCH):
        block = np.asarray(matrix[start : start + _BATCH], dtype=np.float32)
        found[start : start + len(block)] = np.argmax(block @ centroids.T, axis=1)
    return found


def train_centroids(matrix: np.ndarray, lists: int, *, seed: int = 0, iterations: int = 8) -> np.ndarray:
    """Spherical k-means on a seeded sample of ``matrix`` (rows of length 1).

    Parameters:
        matrix: the rows to cluster (may be memory-mapped; only a sample is read).
        lists: how many centroids.
        seed: the seed of the sample and of the starting centroids.
        iterations: rounds of assign-and-average.

    Returns (lists, dimension) float32 centroids of length 1.
    """
    rng = np.random.default_rng(seed)
    rows = len(matrix)
    size = min(rows, lists * ROWS_PER_CENTROID)
    picked = np.sort(rng.choice(rows, size=size, replace=False)) if size < rows else np.arange(rows)
    sample = np.asarray(matrix[picked], dtype=np.float32)
    centroids = sample[rng.choice(size, size=lists, replace=False)].copy()
    for _ in range(iterations):
        order, offsets = group_by_list(assign(sample, centroids), lists)
        counts = np.diff(offsets)
        sums = np.zeros_like(centroids)
        filled = np.flatnonzero(counts)
        sums[filled] = np.add.reduceat(sample[order], offsets[filled], axis=0)
        empty = np.flatnonzero(counts == 0)
        # An empty list restarts from a random sample row, so no centroid is wasted.
        sums[empty] = sample[rng.choice(size, size=len(empty), replace=False)]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = (sums / np.where(norms == 0, 1, norms)).astype(np.float32)
    return centroids


def group_by_list(lists_of_rows: np.ndarray, lists: int) -> tuple[np.ndarray, np.ndarray]:
    """(row order that sorts rows by list, offsets of each list in that order)."""
    order = np.argsort(lists_of_rows, kind="stable")
    offsets = np.zeros(lists + 1, dtype=np.int64)
    np.cumsum(np.bincount(lists_of_rows, minlength=lists), out=offsets[1:])
    return order, offsets


def row_scores(matrix: np.ndarray, query: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Dot product of every row of ``matrix`` with ``query``.

    einsum rather than BLAS: a matrix-vector product is bound by memory, and a threaded BLAS
    answers it far slower whenever the cores are busy (measured on two shared cores: 16 ms
    against 0.2 ms for 2,000 centroids, 32 ms against 16 ms for 50,000 rows).
    """
    return np.einsum("ij,j->i", matrix, query, out=out)


def nearest_lists(layout: IvfLayout, query: np.ndarray) -> np.ndarray:
    """All list numbers, nearest centroid first."""
    return np.argsort(-row_scores(layout.centroids, query), kind="stable")


def probe_rows(layout: IvfLayout, lists: np.ndarray) -> np.ndarray:
    """The row numbers of the given lists, concatenated in the order of ``lists``."""
    starts = layout.offsets[lists]
    sizes = layout.offsets[lists + 1] - starts
    # Position in the concatenation, minus where its list begins there, plus where it begins in the matrix.
    return np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)


def score_lists(
    matrix: np.ndarray, layout: IvfLayout, lists: np.ndarray, query: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row numbers, dot products with ``query``) of every row in ``lists``.

    Each list is a contiguous slice, so it is scored in place without copying the rows.
    """
    rows = probe_rows(layout, lists)
    scores = np.empty(len(rows), dtype=np.float32)
    at = 0
    for number in lists.tolist():
        start, end = int(layout.offsets[number]), int(layout.offsets[number + 1])
        if end > start:
            row_scores(matrix[start:end], query, out=scores[at : at + end - start])
            at += end - start
    return rows, scores


def allowed_per_list(layout: IvfLayout, valid: np.ndarray) -> np.ndarray:
    """How many rows marked in ``valid`` each list holds."""
    sizes = np.diff(layout.offsets)
    counts = np.zeros(layout.lists, dtype=np.int64)
    filled = sizes > 0
    if filled.any():
        counts[filled] = np.add.reduceat(valid, layout.offsets[:-1][filled], dtype=np.int64)
    return counts


def search_lists(
    matrix: np.ndarray,
    layout: IvfLayout,
    query: np.ndarray,
    top_k: int,
    probes: int,
    valid: np.ndarray | None = None,
    valid_per_list: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The best ``top_k`` (row numbers, scores) among the lists nearest to ``query``.

    Parameters:
        matrix: the rows, sorted by list as ``layout`` says.
        layout: the centroids and list offsets.
        query: a unit vector.
        top_k: how many rows to return.
        probes: lists an unfiltered search reads.
        valid: rows that may be returned (live and allowed), or None for all.
        valid_per_list: ``allowed_per_list(layout, valid)``, when the caller has it already.

    Reads the ``probes`` nearest lists. When ``valid`` admits only a fraction f of the rows, it
    reads lists, nearest first, skipping those with no valid row, until it has read
    ``f ** FILTER_WIDENING`` times as many valid rows as the unfiltered search reads rows: a
    filter's best rows lie deeper in the unfiltered ranking, so it reads wider, but not 1/f times
    wider. Whenever fewer than ``top_k`` valid rows were read, it reads twice as many lists, up
    to all of them: a filter never loses results.
    """
    matrix = np.asarray(matrix)  # a plain view: slicing a memmap costs more than the product
    by_distance = nearest_lists(layout, query)
    sizes = np.diff(layout.offsets)
    wanted = probes
    counts = sizes
    if valid is not None:
        counts = allowed_per_list(layout, valid) if valid_per_list is None else valid_per_list
        fraction = counts.sum() / max(len(valid), 1)
        target = sizes[by_distance[:probes]].sum() * fraction**FILTER_WIDENING
        wanted = int(np.searchsorted(np.cumsum(counts[by_distance]), target)) + 1
    wanted = min(max(wanted, 1), layout.lists)
    found_rows: list[np.ndarray] = []
    found_scores: list[np.ndarray] = []
    done = seen = 0
    while True:
        lists = by_distance[done:wanted]
        lists = lists[counts[lists] > 0]
        rows, scores = score_lists(matrix, layout, lists, query)
        if valid is not None:
            keep = valid[rows]
            rows, scores = rows[keep], scores[keep]
        best = _top(scores, top_k)
        found_rows.append(rows[best])
        found_scores.append(scores[best])
        seen += len(rows)
        done = wanted
        if seen >= top_k or done >= layout.lists:
            break
        wanted = min(layout.lists, done * 2)
    rows, scores = np.concatenate(found_rows), np.concatenate(found_scores)
    best = _top(scores, top_k)
    return rows[best], scores[best]


def _top(scores: np.ndarray, top_k: int) -> np.ndarray:
    """Positions of the ``top_k`` highest scores (unordered)."""
    if len(scores) <= top_k:
        return np.arange(len(scores))
    return np.argpartition(-scores, top_k - 1)[:top_k]
