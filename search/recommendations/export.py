"""The register as CSV, one row per recommendation, columns as in the JSON (lists joined)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from search.recommendations.models import JSON_KEYS, Recommendation


def recommendations_csv(records: Iterable[Recommendation]) -> str:
    """CSV text with a header row of ``JSON_KEYS``; themes joined by "; ", similar ids by " "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(JSON_KEYS)
    for record in records:
        row = record.to_json()
        row["themes"] = "; ".join(record.themes)
        row["similar"] = " ".join(record.similar)
        writer.writerow(["" if row[key] is None else row[key] for key in JSON_KEYS])
    return buffer.getvalue()
