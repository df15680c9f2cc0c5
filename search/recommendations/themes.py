"""The safeguarding taxonomy (``themes.toml``) and how a recommendation is given its themes.

A theme is given for keyword cues found in the text (the reason names them) or for closeness in
meaning between the recommendation and the theme's description (the reason gives the cosine
similarity); the strongest four are kept.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.errors import RegisterError
from search.recommendations.models import ThemeReason
from search.recommendations.verbatim import searchable

TAXONOMY_FILE = Path(__file__).with_name("themes.toml")
SIMILARITY = 0.45
"""Cosine similarity from which any theme is given by meaning alone."""
BEST_SIMILARITY = 0.33
"""Cosine similarity from which the closest theme is given by meaning alone."""
CUE_SIMILARITY = 0.15
"""Least cosine similarity for a keyword cue to give its theme (a cue far off in meaning is a false friend)."""
CUE_WEIGHT = 0.15
"""What each keyword cue found (up to three) adds to a theme's strength."""
MAX_THEMES = 4


@dataclass(frozen=True)
class Theme:
    """One theme: its name, the description the model compares with, and its keyword cues."""

    name: str
    description: str
    cues: tuple[str, ...]
    topic: bool = False

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """A regular expression finding any cue at the start of a word."""
        alternatives = "|".join(re.escape(cue) for cue in sorted(self.cues, key=len, reverse=True))
        return re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)


@dataclass(frozen=True)
class Taxonomy:
    """The themes of ``themes.toml``, in file order, and a fingerprint of the file's content."""

    themes: tuple[Theme, ...]
    fingerprint: str

    @property
    def names(self) -> list[str]:
        """Theme names in file order."""
        return [theme.name for theme in self.themes]

    @property
    def topics(self) -> frozenset[str]:
        """Names of the themes that name an area of practice rather than a kind of change."""
        return frozenset(theme.name for theme in self.themes if theme.topic)

    def cued(self, text: str) -> list[str]:
        """The themes whose keyword cues ``text`` uses, in file order (how search passages get themes)."""
        folded = searchable(text)
        return [theme.name for theme in self.themes if theme.pattern.search(folded)]

    def canonical(self, name: str) -> str | None:
        """The theme called ``name`` (any case, surrounding space ignored), or None."""
        wanted = " ".join(name.split()).lower()
        return next((theme.name for theme in self.themes if theme.name.lower() == wanted), None)

    def assign(self, text: str, vector: Sequence[float] | None, theme_vectors: np.ndarray | None) -> list[ThemeReason]:
        """The themes of a recommendation with why each was given, strongest first (at most ``MAX_THEMES``).

        A theme's strength is its similarity in meaning plus ``CUE_WEIGHT`` for each cue found
        (up to three); a cue gives a theme when the meaning is not far off (``CUE_SIMILARITY``),
        meaning alone from ``SIMILARITY`` (``BEST_SIMILARITY`` for the closest theme).

        Parameters: ``text`` the recommendation; ``vector`` its embedding (None: cues only);
        ``theme_vectors`` the embeddings of the theme descriptions, one row per theme.
        """
        folded = searchable(text)
        if vector is not None and theme_vectors is not None and len(theme_vectors):
            similarities = [float(value) for value in theme_vectors @ np.asarray(vector, dtype=np.float32)]
        else:
            similarities = [CUE_SIMILARITY] * len(self.themes)
        best = max(range(len(self.themes)), key=lambda index: similarities[index])
        candidates: list[tuple[float, ThemeReason]] = []
        for index, theme in enumerate(self.themes):
            cues = [match.group(0).lower() for match in theme.pattern.finditer(folded)]
            similarity = similarities[index]
            strength = similarity + CUE_WEIGHT * min(len(cues), 3)
            if cues and similarity >= CUE_SIMILARITY:
                shown = ", ".join(f"'{cue}'" for cue in dict.fromkeys(cues))
                why = f"keyword cue {shown}; similarity {similarity:.2f}"
            elif similarity >= SIMILARITY or (index == best and similarity >= BEST_SIMILARITY):
                why = f"close in meaning to the theme (similarity {similarity:.2f})"
            else:
                continue
            candidates.append((strength, ThemeReason(theme.name, why, round(strength, 3))))
        candidates.sort(key=lambda pair: -pair[0])
        return [reason for _, reason in candidates[:MAX_THEMES]]


@functools.cache
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """Read the taxonomy file; raises RegisterError naming the file and the fix when it is malformed."""
    try:
        raw = path.read_bytes()
        table = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RegisterError(f"cannot read the theme taxonomy {path} ({exc}): restore it from the repository") from None
    themes = []
    for number, entry in enumerate(table.get("theme", []), start=1):
        name, description, cues = entry.get("name"), entry.get("description"), entry.get("cues", [])
        if not isinstance(name, str) or not isinstance(description, str) or not isinstance(cues, list):
            raise RegisterError(
                f"theme {number} in {path} needs a name, a description and a list of cues: fix that [[theme]] entry"
            )
        cue_words = tuple(str(cue) for cue in cues if str(cue).strip())
        themes.append(Theme(name.strip(), description.strip(), cue_words, bool(entry.get("topic", False))))
    if not themes:
        raise RegisterError(f"{path} defines no [[theme]]: add the themes of the taxonomy")
    return Taxonomy(tuple(themes), hashlib.sha256(raw).hexdigest()[:16])
