"""Writing small BEIR-format folders for tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path


def write_beir(
    folder: Path,
    corpus: list[dict[str, str]],
    queries: list[dict[str, str]],
    qrels: list[tuple[str, str, int]],
    *,
    gzipped: bool = False,
    split: str = "test",
) -> Path:
    """Write a BEIR folder (corpus, queries, qrels/<split>.tsv) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in (("corpus", corpus), ("queries", queries)):
        text = "".join(json.dumps(row) + "\n" for row in rows)
        if gzipped:
            with gzip.open(folder / f"{stem}.jsonl.gz", "wt", encoding="utf-8") as handle:
                handle.write(text)
        else:
            (folder / f"{stem}.jsonl").write_text(text, encoding="utf-8")
    (folder / "qrels").mkdir(exist_ok=True)
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in qrels]
    (folder / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
