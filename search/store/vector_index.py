"""Cosine-similarity search over every chunk embedding, held in NumPy arrays.

Derived from the record store: rows can be tombstoned and appended in memory, and ``save``
writes a compacted copy together with the change sequence it reflects. Small indexes are searched
exactly; from ``ann_min_rows`` rows on, ``save`` groups the rows into an inverted file
(:mod:`search.store.ivf`) and a search reads only the lists nearest to the query.

On disk each save is a new generation folder (``g<seq>-<time>``) holding every array; ``state.json``
names the current one and is replaced last and atomically, so a crash mid-save leaves the previous
generation current and intact, never a mix of the two.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

import numpy as np

from search.settings import Settings
from search.store import ivf
from search.store.index_state import read_applied, state_stamp, write_applied

RETRAIN_GROWTH = 2.0
"""The centroids are trained again when the rows grow (or shrink) by this factor since training."""
GATHER_COST = 4
"""Copying a scattered row out costs about this many times reading one in place (measured)."""

_GENERATION = re.compile(r"g\d+-[0-9a-f]+")
_LEGACY_FILES = ("keys.npy", "vectors.npy", "codes.npy", "documents.json")


@dataclass
class _Block:
    keys: np.ndarray  # int64 chunk keys
    matrix: np.ndarray  # float32, rows L2-normalised
    codes: np.ndarray  # int32 document codes
    alive: np.ndarray  # bool


@dataclass
class _View:
    """What a search reads, swapped in one assignment so a search in another thread sees one whole version."""

    codes: dict[str, int]  # document id -> code
    blocks: list[_Block]
    layout: ivf.IvfLayout | None = None  # describes blocks[0] when set
    filter_cache: tuple[bytes | None, np.ndarray | None, np.ndarray] | None = None


class VectorIndex:
    """Nearest-neighbour search by dot product on normalised vectors: exact, or IVF when large.

    Parameters:
        folder: where the generations and ``state.json`` live.
        dimension: length of the embeddings.
        ann_min_rows: from this many rows on, ``save`` builds the IVF index and searches use it.
        ann_probes: lists an unfiltered IVF search reads (more: better recall, slower).
    """

    def __init__(
        self,
        folder: Path,
        dimension: int,
        *,
        ann_min_rows: int = Settings.ann_min_rows,
        ann_probes: int = Settings.ann_probes,
    ) -> None:
        self.folder = folder
        self.dimension = dimension
        self.ann_min_rows = ann_min_rows
        self.ann_probes = ann_probes
        self.applied_seq = -1
        self._view = _View({}, [])
        self._generation: str | None = None
        self._changed = False
        self._stamp = 0.0

    @property
    def uses_ann(self) -> bool:
        """True when searches read the IVF lists rather than every row."""
        view = self._view
        return view.layout is not None and len(view.blocks[0].keys) >= self.ann_min_rows

    @property
    def lists(self) -> int:
        """Lists of the IVF index (0 when there is none)."""
        layout = self._view.layout
        return 0 if layout is None else layout.lists

    def embeddings(self) -> np.ndarray:
        """A copy of every live row's normalised embedding, in storage order."""
        return self._live(with_lists=False)[1]

    # -- persistence ----------------------------------------------------------------------
    def load(self) -> bool:
        """Load the saved generation; False when there is none or it does not fit (rebuild then)."""
        for _ in range(3):
            state = read_applied(self.folder)
            if state is None or state.get("dimension") != self.dimension:
                return False
            loaded = self._read(state)
            if loaded is not None:
                break
            if read_applied(self.folder) == state:
                return False  # the files named are broken, not replaced by a writer meanwhile
        else:
            return False
        assert loaded is not None
        self._view = loaded
        generation = state.get("generation")
        self._generation = generation if isinstance(generation, str) else None
        self._changed = False
        self.applied_seq = int(state["applied_seq"])  # type: ignore[call-overload]
        self._stamp = state_stamp(self.folder)
        return True

    def _read(self, state: dict[str, object]) -> _View | None:
        generation = state.get("generation")
        if generation is None:
            where = self.folder  # written before generations existed
        elif isinstance(generation, str) and _GENERATION.fullmatch(generation):
            where = self.folder / generation
        else:
            return None
        try:
            keys = np.load(where / "keys.npy")
            matrix = np.load(where / "vectors.npy", mmap_mode="r")
            codes = np.load(where / "codes.npy")
            names = [str(name) for name in json.loads((where / "documents.json").read_text(encoding="utf-8"))]
            layout = None
            ann = state.get("ann")
            if isinstance(ann, dict):
                layout = ivf.IvfLayout(
                    np.load(where / "centroids.npy"), np.load(where / "offsets.npy"), int(ann["trained_rows"])
                )
        except (OSError, ValueError, TypeError, KeyError):
            return None
        rows = len(keys)
        if not (rows == len(codes) == matrix.shape[0]) or (rows and matrix.shape[1] != self.dimension):
            return None
        if rows and (int(codes.min()) < 0 or int(codes.max()) >= len(names)):
            return None
        if layout is not None and not layout.fits(rows, self.dimension):
            return None
        codes_by_name = {name: index for index, name in enumerate(names)}
        if not rows:
            return _View(codes_by_name, [])
        return _View(codes_by_name, [_Block(keys, matrix, codes, np.ones(rows, dtype=bool))], layout)

    def changed_on_disk(self) -> bool:
        """True when another process saved a newer version since this one was loaded."""
        return state_stamp(self.folder) != self._stamp

    def save(self, applied_seq: int) -> None:
        """Write the live rows, compacted (grouped by list when large), then the state that makes them current."""
        self.folder.mkdir(parents=True, exist_ok=True)
        state: dict[str, object] = {"applied_seq": applied_seq, "dimension": self.dimension}
        wants_ann = len(self) >= self.ann_min_rows
        current = self._view.layout
        if not self._changed and self._generation is not None and (current is not None) == wants_ann:
            # Nothing changed since the last save or load: only the sequence moves on.
            if current is not None:
                state["ann"] = {"trained_rows": current.trained_rows, "lists": current.lists}
            write_applied(self.folder, {**state, "generation": self._generation})
            self._remove_old_generations(self._generation)
            self.applied_seq = applied_seq
            self._stamp = state_stamp(self.folder)
            return
        keys, matrix, codes, lists = self._live()
        order, layout = self._arrange(matrix, lists)
        if order is not None:
            keys, matrix, codes = keys[order], matrix[order], codes[order]
        codes, names = self._dense_codes(codes)
        generation = f"g{max(applied_seq, 0)}-{time.time_ns():x}"
        target = self.folder / generation
        target.mkdir()
        arrays = {"keys": keys, "vectors": matrix, "codes": codes}
        if layout is not None:
            arrays |= {"centroids": layout.centroids, "offsets": layout.offsets}
            state["ann"] = {"trained_rows": layout.trained_rows, "lists": layout.lists}
        for name, array in arrays.items():
            _write_synced(target / f"{name}.npy", partial(np.save, arr=array))
        _write_synced(target / "documents.json", lambda handle: handle.write(json.dumps(names).encode("utf-8")))
        _sync_folder(target)
        write_applied(self.folder, {**state, "generation": generation})
        self._remove_old_generations(generation)
        codes_by_name = {name: index for index, name in enumerate(names)}
        if len(keys):
            # Map the written file rather than keep the copy: the page cache holds it once for every process.
            mapped = np.load(target / "vectors.npy", mmap_mode="r")
            self._view = _View(codes_by_name, [_Block(keys, mapped, codes, np.ones(len(keys), dtype=bool))], layout)
        else:
            self._view = _View(codes_by_name, [])
        self._generation = generation
        self._changed = False
        self.applied_seq = applied_seq
        self._stamp = state_stamp(self.folder)

    def _live(self, *, with_lists: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """(keys, matrix, codes, list of each row or None) of the rows not tombstoned."""
        blocks, layout = self._view.blocks, self._view.layout
        if not blocks:
            return (
                np.zeros(0, dtype=np.int64),
                np.zeros((0, self.dimension), dtype=np.float32),
                np.zeros(0, dtype=np.int32),
                None,
            )
        keys = np.concatenate([b.keys[b.alive] for b in blocks])
        matrix = np.concatenate([np.asarray(b.matrix)[b.alive] for b in blocks]).astype(np.float32)
        codes = np.concatenate([b.codes[b.alive] for b in blocks]).astype(np.int32)
        lists = None
        if layout is not None and with_lists:
            # The grouped first block keeps its lists; appended rows join their nearest centroid.
            parts = [layout.list_of_rows()[blocks[0].alive]]
            parts += [ivf.assign(np.asarray(b.matrix)[b.alive], layout.centroids) for b in blocks[1:]]
            lists = np.concatenate(parts)
        return keys, matrix, codes, lists

    def _arrange(self, matrix: np.ndarray, lists: np.ndarray | None) -> tuple[np.ndarray | None, ivf.IvfLayout | None]:
        """(row order grouping rows by list, or None when already grouped; the layout, or None for exact)."""
        rows = len(matrix)
        if rows < self.ann_min_rows:
            return None, None
        layout = self._view.layout
        if (
            layout is None
            or lists is None
            or not (layout.trained_rows / RETRAIN_GROWTH <= rows <= layout.trained_rows * RETRAIN_GROWTH)
        ):
            centroids = ivf.train_centroids(matrix, ivf.list_count(rows))
            lists = ivf.assign(matrix, centroids)
            trained = rows
        else:
            centroids, trained = layout.centroids, layout.trained_rows
        order, offsets = ivf.group_by_list(lists, len(centroids))
        in_order = bool(np.all(lists[:-1] <= lists[1:]))
        return (None if in_order else order), ivf.IvfLayout(centroids, offsets, trained)

    def _dense_codes(self, codes: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Codes renumbered 0..n-1 over the documents still present, and the names in that order."""
        used = sorted(set(codes.tolist()))
        names_by_code = {code: name for name, code in self._view.codes.items()}
        remap = np.full(max(used) + 1 if used else 1, -1, dtype=np.int32)
        for new, old in enumerate(used):
            remap[old] = new
        return (remap[codes] if len(codes) else codes), [names_by_code[old] for old in used]

    def _remove_old_generations(self, current: str) -> None:
        for path in self.folder.iterdir():
            if path.is_dir() and path.name != current and _GENERATION.fullmatch(path.name):
                # Another process may still map the old files: on POSIX they live on until it lets go.
                shutil.rmtree(path, ignore_errors=True)
        for name in _LEGACY_FILES:
            (self.folder / name).unlink(missing_ok=True)

    # -- changes --------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every row (before a rebuild)."""
        self._view = _View({}, [])
        self._changed = True

    def remove_document(self, doc_id: str) -> None:
        """Tombstone every row of a document."""
        code = self._view.codes.get(doc_id)
        if code is None:
            return
        for block in self._view.blocks:
            hit = block.codes == code
            if hit.any():
                block.alive &= ~hit
                self._view.filter_cache = None
                self._changed = True

    def add(self, doc_id: str, keys: np.ndarray, matrix: np.ndarray) -> None:
        """Append a document's rows (embeddings are normalised here)."""
        if len(keys) == 0:
            return
        codes = self._view.codes
        code = codes.setdefault(doc_id, len(codes))
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        normalised = (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)
        self._view.blocks.append(
            _Block(
                np.asarray(keys, dtype=np.int64),
                normalised,
                np.full(len(keys), code, dtype=np.int32),
                np.ones(len(keys), dtype=bool),
            )
        )
        self._changed = True

    def __len__(self) -> int:
        return int(sum(block.alive.sum() for block in self._view.blocks))

    # -- search ---------------------------------------------------------------------------
    def search(
        self, embedding: np.ndarray, top_k: int, allowed_doc_ids: set[str] | None = None
    ) -> list[tuple[int, float]]:
        """The ``top_k`` (chunk key, cosine similarity) pairs, best first.

        ``allowed_doc_ids`` restricts the search to those documents (None: all); a restricted
        search never returns a row of another document.
        """
        view = self._view  # one read: another thread may load a newer version meanwhile
        query = np.asarray(embedding, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0 or not view.blocks or top_k < 1:
            return []
        query = query / norm
        allowed = None
        if allowed_doc_ids is not None:
            codes = [view.codes[d] for d in allowed_doc_ids if d in view.codes]
            if not codes:
                return []
            allowed = np.zeros(len(view.codes), dtype=bool)
            allowed[codes] = True
        approximate = view.layout is not None and len(view.blocks[0].keys) >= self.ann_min_rows
        candidates_keys: list[np.ndarray] = []
        candidates_scores: list[np.ndarray] = []
        for number, block in enumerate(view.blocks):
            rows, scores = (
                self._search_lists(view, query, top_k, allowed)
                if number == 0 and approximate
                else _search_exact(block, query, top_k, allowed)
            )
            candidates_keys.append(block.keys[rows])
            candidates_scores.append(scores)
        keys = np.concatenate(candidates_keys)
        scores = np.concatenate(candidates_scores)
        order = np.argsort(-scores, kind="stable")[:top_k]
        return [(int(keys[i]), float(scores[i])) for i in order]

    def _search_lists(
        self, view: _View, query: np.ndarray, top_k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        block, layout = view.blocks[0], view.layout
        assert layout is not None
        valid, per_list = _valid_rows(view, allowed)
        if valid is not None and allowed is not None:
            admitted = int(per_list.sum())
            if admitted == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            unfiltered = self.ann_probes * len(block.keys) / layout.lists
            filtered = unfiltered * (admitted / len(block.keys)) ** -ivf.FILTER_WIDENING
            if admitted * GATHER_COST <= filtered:
                # A narrow filter: copying its few rows out costs less than reading lists, and is exact.
                return _search_rows(block, np.flatnonzero(valid), query, top_k)
        return ivf.search_lists(block.matrix, layout, query, top_k, self.ann_probes, valid, per_list)


def _valid_rows(view: _View, allowed: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray]:
    """(rows of the first block that may be returned, or None for all; how many of them each list holds).

    Kept for the last filter asked, since one person's access filter repeats with every query.
    """
    block, layout = view.blocks[0], view.layout
    assert layout is not None
    key = None if allowed is None else allowed.tobytes()
    cached = view.filter_cache  # one read: searches may run in several threads
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    if allowed is None and block.alive.all():
        valid = None
        per_list = np.diff(layout.offsets)
    else:
        valid = block.alive if allowed is None else allowed[block.codes] & block.alive
        per_list = ivf.allowed_per_list(layout, valid)
    view.filter_cache = (key, valid, per_list)
    return valid, per_list


def _search_exact(
    block: _Block, query: np.ndarray, top_k: int, allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(row numbers, scores) of a block's best ``top_k`` live, allowed rows, reading every row."""
    scores = ivf.row_scores(np.asarray(block.matrix), query)
    mask = block.alive if allowed is None else block.alive & allowed[block.codes]
    scores = np.where(mask, scores, -np.inf)
    take = min(top_k, len(scores))
    best = np.argpartition(-scores, take - 1)[:take]
    best = best[np.isfinite(scores[best])]
    return best, scores[best]


def _search_rows(block: _Block, rows: np.ndarray, query: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row numbers, scores) of the best ``top_k`` of the given rows, scored exactly."""
    if len(rows) == 0:
        return rows, np.zeros(0, dtype=np.float32)
    scores = ivf.row_scores(np.asarray(block.matrix[rows]), query)
    take = min(top_k, len(rows))
    best = np.argpartition(-scores, take - 1)[:take]
    return rows[best], scores[best]


def _write_synced(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file through ``write(handle)`` and force it to disk before it can be named current."""
    with open(path, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the folder's new entries durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
