"""The small state file each derived index keeps: the last change of the record store it applied."""

from __future__ import annotations

import json
import os
from pathlib import Path


def read_applied(folder: Path) -> dict[str, object] | None:
    """The state saved in ``folder/state.json``, or None when missing or unreadable."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("applied_seq"), int) else None


def write_applied(folder: Path, state: dict[str, object]) -> None:
    """Write the state atomically (a crash leaves the old file or the new one, never half)."""
    temporary = folder / "state.json.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / "state.json")


def state_stamp(folder: Path) -> float:
    """Modification time of the state file (0 when missing): a cheap 'did it change' check."""
    try:
        return (folder / "state.json").stat().st_mtime_ns / 1e9
    except OSError:
        return 0.0
