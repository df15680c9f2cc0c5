"""A corpus for leak tests: documents at every access level, each carrying unique marker words.

Each folder (``public/``, ``internal/``, ``restricted/``) has a manifest setting its access level
for every file in it. Every document's title, text and recommendations carry a marker that
names its level (``RESTRICTEDMARKER003``), so any output can be scanned for words a user
without that clearance must never see. A guidance series has a restricted later edition, to
catch edition notices that would name it. ``leak_queries`` generates what users might type.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

LEVELS = ("public", "internal", "restricted")

_SENTENCES = (
    "Practitioners must record the reason for every decision made on a referral to the MASH.",
    "The designated safeguarding lead should be told on the same day when a pupil discloses abuse.",
    "Strategy discussions must include the police and children's social care.",
    "Schools should keep a written record of each concern about a child and what was done.",
    "Managers should review open cases every month and record their oversight.",
    "Information may be shared without consent when a child is at risk of significant harm.",
    "Children who go missing from education must be reported to the local authority.",
    "Staff should listen to the child and take what they say seriously.",
    "Harmful sexual behaviour between pupils must be assessed with a risk and needs plan.",
    "Early help assessments should start with a conversation with the family.",
)
_RECOMMENDATIONS = (
    "The MASH should record the reasons and outcome of every contact",
    "Schools should receive feedback within two working days of a referral",
    "The partnership should audit the quality of strategy discussions each year",
    "Training on child-on-child abuse should be given to all designated leads",
)


@dataclass
class LeakCorpus:
    """The folders written and, per access level, the markers and doc ids of its documents."""

    folder: Path
    markers: dict[str, list[str]] = field(default_factory=dict)
    doc_ids: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)

    def forbidden_for(self, levels: tuple[str, ...]) -> list[str]:
        """Every marker and doc id of the levels not in ``levels`` (what must not be shown)."""
        hidden = [level for level in LEVELS if level not in levels]
        return [item for level in hidden for item in self.markers[level] + self.doc_ids[level]]


def build_leak_corpus(folder: Path, *, per_level: int = 4, seed: int = 5) -> LeakCorpus:
    """Write ``per_level`` Markdown documents at each access level (plus a guidance series) into ``folder``."""
    rng = random.Random(seed)
    corpus = LeakCorpus(folder)
    for level in LEVELS:
        level_folder = folder / level
        level_folder.mkdir(parents=True, exist_ok=True)
        (level_folder / "lessons-manifest.toml").write_text(
            f'[defaults]\naccess = "{level}"\npublisher = "Leakton Borough Council"\narea = "Leakton"\n'
            f'\n[[documents]]\nfile = "guidance-edition-{level}.md"\nseries = "leakton-schools-guidance"\n'
            'doc_type = "guidance"\n',
            encoding="utf-8",
        )
        corpus.markers[level], corpus.doc_ids[level], corpus.texts[level] = [], [], []
        for number in range(per_level):
            marker = f"{level.upper()}MARKER{number:03d}"
            doc_id = f"leak-{level}-review-{number}"
            sentences = rng.sample(_SENTENCES, 6)
            recommendations = rng.sample(_RECOMMENDATIONS, 2)
            text = (
                f"---\ntitle: Case review {marker}\ndate: 20{18 + number}-0{1 + number % 9}-15\n---\n\n"
                f"# Case review {marker}\n\n## Findings\n\n"
                + " ".join(f"{sentence[:-1]} in the {marker} case." for sentence in sentences[:3])
                + "\n\n"
                + " ".join(sentences[3:])
                + f" The review of {marker} found the same gap again.\n\n## Recommendations\n\n"
                + "\n".join(
                    f"Recommendation {n}: {recommendation} ({marker})."
                    for n, recommendation in enumerate(recommendations, 1)
                )
                + "\n"
            )
            (level_folder / f"{doc_id}.md").write_text(text, encoding="utf-8")
            corpus.markers[level].append(marker)
            corpus.doc_ids[level].append(doc_id)
            corpus.texts[level].append(text)
        # One edition of a guidance series per level: the restricted one is the latest.
        edition_marker = f"{level.upper()}EDITIONMARKER"
        year = 2021 + LEVELS.index(level)
        (level_folder / f"guidance-edition-{level}.md").write_text(
            f"---\ntitle: Leakton schools safeguarding guidance {year} {edition_marker}\ndate: {year}-09-01\n---\n\n"
            f"# Leakton schools safeguarding guidance {year}\n\n"
            f"Schools must refer a child to the MASH on the same day when they are at risk ({edition_marker}). "
            "The designated safeguarding lead should keep training up to date.\n",
            encoding="utf-8",
        )
        corpus.markers[level].append(edition_marker)
        corpus.doc_ids[level].append(f"guidance-edition-{level}")
    # Restricted minutes reporting on a public review's recommendation: the status is evidence
    # a public reader must not be shown.
    progress_marker = "RESTRICTEDPROGRESSMARKER"
    public_review = corpus.markers["public"][0]
    with (folder / "restricted" / "lessons-manifest.toml").open("a", encoding="utf-8") as manifest:
        manifest.write('\n[[documents]]\nfile = "progress-minutes.md"\ndoc_type = "minutes"\n')
    (folder / "restricted" / "progress-minutes.md").write_text(
        f"---\ntitle: Minutes of the closed safeguarding panel {progress_marker}\ndate: 2026-02-10\n---\n\n"
        "# Minutes of the closed safeguarding panel\n\n## Progress on review recommendations\n\n"
        f"The panel heard that Recommendation 1 of the Case review {public_review} has been implemented "
        f"in full, as the audit {progress_marker} confirmed.\n",
        encoding="utf-8",
    )
    corpus.markers["restricted"].append(progress_marker)
    corpus.doc_ids["restricted"].append("progress-minutes")
    return corpus


def leak_queries(corpus: LeakCorpus, count: int, *, seed: int = 9) -> list[str]:
    """``count`` queries a user might type, many aimed straight at hidden documents."""
    rng = random.Random(seed)
    hidden_words = [marker for level in ("internal", "restricted") for marker in corpus.markers[level]]
    pool: list[str] = []
    for level in LEVELS:
        for text in corpus.texts[level]:
            lines = [line for line in text.splitlines() if len(line.split()) > 6]
            pool += lines
    queries = []
    for number in range(count):
        kind = number % 5
        if kind == 0:
            queries.append(rng.choice(hidden_words))
        elif kind == 1:
            queries.append(f"what did the case review {rng.choice(hidden_words)} recommend")
        elif kind == 2:
            queries.append(" ".join(rng.choice(pool).split()[: rng.randint(5, 14)]))
        elif kind == 3:
            queries.append(rng.choice(_SENTENCES).replace(".", "?"))
        else:
            queries.append(rng.choice(_RECOMMENDATIONS) + " " + rng.choice(hidden_words))
    return queries
