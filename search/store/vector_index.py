"""Exact cosine-similarity search over every chunk embedding, held in NumPy arrays.

Derived from the record store: rows can be tombstoned and appended in memory, and ``save``
writes a compacted copy atomically together with the change sequence it reflects.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.store.index_state import read_applied, state_stamp, write_applied


@dataclass
class _Block:
    keys: np.ndarray  # int64 chunk keys
    matrix: np.ndarray  # float32, rows L2-normalised
    codes: np.ndarray  # int32 document codes
    alive: np.ndarray  # bool


class VectorIndex:
    """Exact nearest-neighbour search by dot product on normalised vectors.

    Parameters:
        folder: where the arrays and ``state.json`` live.
        dimension: length of the embeddings.
    """

    def __init__(self, folder: Path, dimension: int) -> None:
        self.folder = folder
        self.dimension = dimension
        self.applied_seq = -1
        self._codes: dict[str, int] = {}
        self._blocks: list[_Block] = []
        self._stamp = 0.0

    # -- persistence ----------------------------------------------------------------------
    def load(self) -> bool:
        """Load the saved arrays; False when there are none or they do not fit (rebuild then)."""
        state = read_applied(self.folder)
        if state is None or state.get("dimension") != self.dimension:
            return False
        try:
            keys = np.load(self.folder / "keys.npy")
            matrix = np.load(self.folder / "vectors.npy", mmap_mode="r")
            codes = np.load(self.folder / "codes.npy")
            names = json.loads((self.folder / "documents.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not (len(keys) == len(codes) == matrix.shape[0]) or (len(keys) and matrix.shape[1] != self.dimension):
            return False
        self._codes = {str(name): index for index, name in enumerate(names)}
        self._blocks = [_Block(keys, matrix, codes, np.ones(len(keys), dtype=bool))] if len(keys) else []
        self.applied_seq = int(state["applied_seq"])  # type: ignore[call-overload]
        self._stamp = state_stamp(self.folder)
        return True

    def changed_on_disk(self) -> bool:
        """True when another process saved a newer version since this one was loaded."""
        return state_stamp(self.folder) != self._stamp

    def save(self, applied_seq: int) -> None:
        """Write the live rows, compacted, then the state file that makes them current."""
        self.folder.mkdir(parents=True, exist_ok=True)
        keys, matrix, codes = self._live()
        # Renumber documents so codes stay dense after deletions.
        used = sorted(set(codes.tolist()))
        names_by_code = {code: name for name, code in self._codes.items()}
        remap = np.full(max(used) + 1 if used else 1, -1, dtype=np.int32)
        for new, old in enumerate(used):
            remap[old] = new
        codes = remap[codes] if len(codes) else codes
        names = [names_by_code[old] for old in used]
        for name, array in (("keys", keys), ("vectors", matrix), ("codes", codes)):
            temporary = self.folder / f"{name}.tmp.npy"
            np.save(temporary, array)
            os.replace(temporary, self.folder / f"{name}.npy")
        (self.folder / "documents.json.tmp").write_text(json.dumps(names), encoding="utf-8")
        os.replace(self.folder / "documents.json.tmp", self.folder / "documents.json")
        write_applied(self.folder, {"applied_seq": applied_seq, "dimension": self.dimension})
        self._codes = {name: index for index, name in enumerate(names)}
        self._blocks = [_Block(keys, matrix, codes, np.ones(len(keys), dtype=bool))] if len(keys) else []
        self.applied_seq = applied_seq
        self._stamp = state_stamp(self.folder)

    def _live(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self._blocks:
            return (
                np.zeros(0, dtype=np.int64),
                np.zeros((0, self.dimension), dtype=np.float32),
                np.zeros(0, dtype=np.int32),
            )
        keys = np.concatenate([b.keys[b.alive] for b in self._blocks])
        matrix = np.concatenate([np.asarray(b.matrix)[b.alive] for b in self._blocks]).astype(np.float32)
        codes = np.concatenate([b.codes[b.alive] for b in self._blocks]).astype(np.int32)
        return keys, matrix, codes

    # -- changes --------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every row (before a rebuild)."""
        self._blocks = []
        self._codes = {}

    def remove_document(self, doc_id: str) -> None:
        """Tombstone every row of a document."""
        code = self._codes.get(doc_id)
        if code is None:
            return
        for block in self._blocks:
            block.alive &= block.codes != code

    def add(self, doc_id: str, keys: np.ndarray, matrix: np.ndarray) -> None:
        """Append a document's rows (embeddings are normalised here)."""
        if len(keys) == 0:
            return
        code = self._codes.setdefault(doc_id, len(self._codes))
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        normalised = (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)
        self._blocks.append(
            _Block(
                np.asarray(keys, dtype=np.int64),
                normalised,
                np.full(len(keys), code, dtype=np.int32),
                np.ones(len(keys), dtype=bool),
            )
        )

    def __len__(self) -> int:
        return int(sum(block.alive.sum() for block in self._blocks))

    # -- search ---------------------------------------------------------------------------
    def search(
        self, embedding: np.ndarray, top_k: int, allowed_doc_ids: set[str] | None = None
    ) -> list[tuple[int, float]]:
        """The ``top_k`` (chunk key, cosine similarity) pairs, best first.

        ``allowed_doc_ids`` restricts the search to those documents (None: all).
        """
        query = np.asarray(embedding, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0 or not self._blocks:
            return []
        query = query / norm
        allowed_codes = None
        if allowed_doc_ids is not None:
            allowed_codes = np.array(
                [self._codes[d] for d in allowed_doc_ids if d in self._codes], dtype=np.int32
            )
            if len(allowed_codes) == 0:
                return []
        candidates_keys: list[np.ndarray] = []
        candidates_scores: list[np.ndarray] = []
        for block in self._blocks:
            scores = np.asarray(block.matrix) @ query
            mask = block.alive
            if allowed_codes is not None:
                mask = mask & np.isin(block.codes, allowed_codes)
            scores = np.where(mask, scores, -np.inf)
            take = min(top_k, len(scores))
            best = np.argpartition(-scores, take - 1)[:take]
            best = best[np.isfinite(scores[best])]
            candidates_keys.append(block.keys[best])
            candidates_scores.append(scores[best])
        keys = np.concatenate(candidates_keys)
        scores = np.concatenate(candidates_scores)
        order = np.argsort(-scores, kind="stable")[:top_k]
        return [(int(keys[i]), float(scores[i])) for i in order]
