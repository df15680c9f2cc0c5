"""Lessons' front ends: the Streamlit app and the ``lessons`` command line. No logic lives here."""

import search  # noqa: F401  (first: it keeps model loading and telemetry offline before Haystack loads)
