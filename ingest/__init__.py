"""Lessons' write path: finding sources, converting, metadata, chunking and the indexing job."""

import search  # noqa: F401  (first: it keeps model loading and telemetry offline before Haystack loads)
