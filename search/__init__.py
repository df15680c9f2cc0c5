"""Lessons' core library: settings, errors, models, stores, embeddings, retrieval and the search service."""

import os

# Nothing may reach the network at run time: models load from disk, telemetry stays off.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from search.deferred_imports import defer_torch_import  # noqa: E402 - after the environment is set

defer_torch_import()
