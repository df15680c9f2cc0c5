"""The indexes of the OpenSearch backend, their mappings and the template that guards them.

One Lessons index ``NAME`` is four OpenSearch indexes:

- ``NAME``: the passages, one OpenSearch document per passage and generation, laid out as a
  Haystack ``Document`` (``id``, ``content``, ``embedding`` and flat metadata) so that stock
  Haystack components can read it too. Text uses the English analyser; the embedding is a
  ``knn_vector`` in an HNSW graph with cosine similarity; filter fields are keywords and a date.
- ``NAME-documents``: one record per source document, holding its live generation.
- ``NAME-pages``: page texts, per generation (shown beside a cited passage, never searched).
- ``NAME-reports``: the history of ingestion reports.

The passage mapping records the model and dimension in ``_meta``; opening the index with
another model is refused (:func:`mismatch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1
"""Version of this layout, recorded in ``_meta.lessons_format``."""

HNSW_M = 16
"""Links per node of the HNSW graph (OpenSearch's default; see docs/scale-out.md for memory)."""

HNSW_EF_CONSTRUCTION = 128
"""Candidate list size while building the graph."""

PUBLISHED_FORMAT = "yyyy-MM-dd||strict_date_optional_time"


@dataclass(frozen=True)
class IndexNames:
    """The four OpenSearch index names of one Lessons index."""

    chunks: str

    @property
    def documents(self) -> str:
        return f"{self.chunks}-documents"

    @property
    def pages(self) -> str:
        return f"{self.chunks}-pages"

    @property
    def reports(self) -> str:
        return f"{self.chunks}-reports"

    def all(self) -> tuple[str, str, str, str]:
        """Every index, passages first."""
        return (self.chunks, self.documents, self.pages, self.reports)


def _keyword() -> dict[str, Any]:
    return {"type": "keyword"}


def chunk_mappings(model: str, dimension: int) -> dict[str, Any]:
    """Mappings of the passage index; ``dynamic: strict`` turns a stray field into a clear rejection."""
    return {
        "dynamic": "strict",
        "_meta": {"lessons_format": FORMAT_VERSION, "model": model, "dimension": dimension},
        "properties": {
            "id": _keyword(),
            "content": {"type": "text", "analyzer": "english"},
            # Title and section path: weighted lower than the passage itself, as on the embedded store.
            "context": {"type": "text", "analyzer": "english"},
            "embedding": {
                "type": "knn_vector",
                "dimension": dimension,
                "method": {
                    "name": "hnsw",
                    "space_type": "cosinesimil",
                    # Lucene's HNSW: cosine similarity and filtering inside the graph search on every
                    # OpenSearch from 2.x on, with no native library to load.
                    "engine": "lucene",
                    "parameters": {"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION},
                },
            },
            "doc_id": _keyword(),
            "generation": _keyword(),
            "ordinal": {"type": "integer"},
            "page": {"type": "integer"},
            "page_end": {"type": "integer"},
            "section": {"type": "keyword", "index": False},
            "paragraph": {"type": "keyword", "index": False},
            "char_start": {"type": "integer", "index": False},
            "char_end": {"type": "integer", "index": False},
            # The document's filter fields, copied onto each passage so filters run inside the search.
            "doc_type": _keyword(),
            "publisher": _keyword(),
            "area": _keyword(),
            "access": _keyword(),
            "published": {"type": "date", "format": PUBLISHED_FORMAT},
        },
    }


def document_mappings() -> dict[str, Any]:
    """Mappings of the document records."""
    keywords = ("doc_id", "doc_type", "publisher", "area", "source", "access", "series", "content_hash", "generation")
    return {
        "dynamic": "strict",
        "properties": {
            **{name: _keyword() for name in keywords},
            "title": {"type": "text", "fields": {"sort": {"type": "keyword", "ignore_above": 1024}}},
            "published": {"type": "date", "format": PUBLISHED_FORMAT},
            "indexed_at": {"type": "date"},
            "pages": {"type": "integer"},
            "chunks": {"type": "integer"},
            "stored_pages": {"type": "integer"},
        },
    }


def page_mappings() -> dict[str, Any]:
    """Mappings of the page texts (stored, not searched)."""
    return {
        "dynamic": "strict",
        "properties": {
            "doc_id": _keyword(),
            "generation": _keyword(),
            "page": {"type": "integer"},
            "text": {"type": "text", "index": False},
        },
    }


def report_mappings() -> dict[str, Any]:
    """Mappings of the ingestion report history."""
    return {
        "dynamic": "strict",
        "properties": {
            "started": {"type": "date"},
            "finished": {"type": "date"},
            "report": {"type": "object", "enabled": False},
        },
    }


def index_settings(*, shards: int, replicas: int, knn: bool = False) -> dict[str, Any]:
    """Index settings: shard and replica counts, and k-NN for the passage index."""
    settings: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": replicas}
    if knn:
        settings["knn"] = True
    return {"index": settings}


def index_bodies(
    names: IndexNames, *, model: str, dimension: int, shards: int, replicas: int
) -> dict[str, dict[str, Any]]:
    """The create-index body of each of the four indexes, keyed by index name.

    Only the passage index is sharded as configured; the others hold one small record per
    document or page and keep one shard.
    """
    return {
        names.chunks: {
            "settings": index_settings(shards=shards, replicas=replicas, knn=True),
            "mappings": chunk_mappings(model, dimension),
        },
        names.documents: {"settings": index_settings(shards=1, replicas=replicas), "mappings": document_mappings()},
        names.pages: {"settings": index_settings(shards=1, replicas=replicas), "mappings": page_mappings()},
        names.reports: {"settings": index_settings(shards=1, replicas=replicas), "mappings": report_mappings()},
    }


def template_body(names: IndexNames, *, model: str, dimension: int, shards: int, replicas: int) -> dict[str, Any]:
    """A composable index template for the passage index.

    A bulk write to a missing index makes OpenSearch create it; the template makes sure it is
    created with these mappings (a k-NN vector, English text) rather than guessed ones.
    """
    body = index_bodies(names, model=model, dimension=dimension, shards=shards, replicas=replicas)[names.chunks]
    return {
        "index_patterns": [names.chunks],
        "priority": 200,
        "template": body,
        "_meta": {"description": "Lessons passage index", "lessons_format": FORMAT_VERSION},
    }


def mismatch(mapping: dict[str, Any], *, model: str, dimension: int) -> str | None:
    """Why an existing passage index cannot be used with ``model``/``dimension``, or None when it can.

    ``mapping`` is the ``mappings`` object of the index as OpenSearch returns it.
    """
    meta = mapping.get("_meta") or {}
    if "lessons_format" not in meta:
        return "it is not a Lessons index (its mapping has no _meta.lessons_format)"
    if int(meta["lessons_format"]) != FORMAT_VERSION:
        return f"it has layout version {meta['lessons_format']}, this Lessons reads version {FORMAT_VERSION}"
    embedding = mapping.get("properties", {}).get("embedding", {})
    stored_dimension = int(meta.get("dimension") or embedding.get("dimension") or 0)
    if meta.get("model") != model or stored_dimension != dimension:
        return (
            f"it was built with model {meta.get('model')} ({stored_dimension}-d vectors), not {model} ({dimension}-d)"
        )
    return None
