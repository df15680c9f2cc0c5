"""Bring the recommendations register up to date with the store, at the end of every ingest job.

1. Documents that left the store are dropped from the register.
2. Every document whose content hash differs from the one the register recorded (new, changed,
   or never read: an older store without a register) is read again from its stored page texts.
3. Status events and recurrence groups are recomputed across the whole register, unless the
   register's documents, versions and threshold are exactly those they were last derived from.

Each document is written in its own transaction and step 3 in one more, so a job killed at any
point leaves a consistent register, and running the sync again converges on the same result: the
key of what step 3 was derived from is recorded only after its transaction, so a sync killed
before then derives again. A document that cannot be read is listed in the report and the sync
goes on.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
from haystack import Pipeline

from ingest.recommendations.components import build_register_pipeline
from ingest.recommendations.extraction import EXTRACTOR_VERSION
from ingest.report import FailedSource, RegisterReport
from search.embedding import Embedder
from search.models import DocumentRecord
from search.recommendations import followup as followup_module
from search.recommendations import recurrence as recurrence_module
from search.recommendations.followup import follow_up
from search.recommendations.recurrence import group_recommendations
from search.recommendations.register import SCHEMA_VERSION, Register, register_path
from search.recommendations.themes import Taxonomy, load_taxonomy
from search.settings import Settings
from search.store.protocol import ChunkStore

log = logging.getLogger(__name__)

DERIVED_KEY = "derived_from"
"""Register meta key: the key of what the status events and recurrence groups were derived from."""
DERIVED_COUNTS = "derived_counts"
"""Register meta key: the report's counts of those derived tables (JSON)."""


def sync_register(store: ChunkStore, settings: Settings, embedder: Callable[[], Embedder]) -> RegisterReport:
    """Update ``register.sqlite`` in the data folder from ``store``; returns what changed.

    Parameters:
        store: the store (read through the ChunkStore protocol only).
        settings: the data folder and the recurrence threshold come from here.
        embedder: returns the loaded model; called only when a document must be read.
    """
    report = RegisterReport()
    taxonomy = load_taxonomy()
    register = Register(register_path(settings.data_dir), writable=True)
    try:
        versions = {
            "schema": SCHEMA_VERSION,
            "extractor": EXTRACTOR_VERSION,
            "taxonomy": taxonomy.fingerprint,
            "model": settings.model,
        }
        if any(register.meta(key) != value for key, value in versions.items()):
            # Another extractor, taxonomy or model: every document must be read again. Forgetting
            # the hashes first (then recording the versions) lets a killed run resume where it stopped.
            register.forget_content_hashes()
            register.set_meta(versions)
        known = register.document_hashes()
        documents = {document.doc_id: document for document in store.list_documents()}
        for doc_id in sorted(set(known) - set(documents)):
            register.remove_document(doc_id)
            report.documents_removed += 1
        changed = [
            document for doc_id, document in sorted(documents.items()) if known.get(doc_id) != document.content_hash
        ]
        if changed:
            model = embedder()
            pipeline = build_register_pipeline(model)
            theme_vectors = model.embed_passages([theme.description for theme in taxonomy.themes])
            matrix = np.asarray(theme_vectors, dtype=np.float32)
            for document in changed:
                try:
                    _read_document(register, pipeline, store, document, taxonomy, matrix)
                    report.documents_read += 1
                except Exception as exc:  # one unreadable document never stops the job
                    log.exception("recommendations of %s could not be read", document.doc_id)
                    report.failed.append(
                        FailedSource(
                            document.source,
                            f"recommendations not extracted ({type(exc).__name__}: {exc}): "
                            "please report it; the document itself is indexed",
                        )
                    )
        derived_from = _derivation_key(register.document_hashes(), versions, settings.recurrence_threshold)
        counts = _derived_counts(register) if register.meta(DERIVED_KEY) == derived_from else None
        if counts is None:
            records = register.recommendations()
            found = follow_up(records, register.mentions(), register.documents())
            groups, labels = group_recommendations(records, settings.recurrence_threshold, found.links, taxonomy.topics)
            register.replace_derived(found.events, groups, labels)
            counts = {
                "recommendations": len(records),
                "recurring": len({group for group in groups.values()}),
                "status_links": sum(1 for event in found.events if event.status is not None),
            }
            # Only now, after the derived tables are written: a sync killed before this derives again.
            register.set_meta({DERIVED_KEY: derived_from, DERIVED_COUNTS: json.dumps(counts)})
        report.recommendations = counts["recommendations"]
        report.recurring = counts["recurring"]
        report.status_links = counts["status_links"]
    finally:
        register.close()
    return report


def _derivation_key(hashes: dict[str, str], versions: dict[str, str], threshold: float) -> str:
    """What the status events and recurrence groups are computed from: every registered document's
    content hash, the register's versions and the recurrence threshold."""
    material = json.dumps([sorted(hashes.items()), sorted(versions.items()), threshold, _derivation_code()])
    return hashlib.sha256(material.encode()).hexdigest()


@functools.cache
def _derivation_code() -> str:
    """A hash of the modules that derive statuses and recurrence: a new version of them derives again."""
    digest = hashlib.sha256()
    for module in (followup_module, recurrence_module):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def _derived_counts(register: Register) -> dict[str, int] | None:
    """The counts recorded with the derived tables, or None when missing or unreadable."""
    try:
        counts = json.loads(register.meta(DERIVED_COUNTS) or "")
    except ValueError:
        return None
    names = ("recommendations", "recurring", "status_links")
    if not isinstance(counts, dict) or not all(isinstance(counts.get(name), int) for name in names):
        return None
    return {name: int(counts[name]) for name in names}


def _read_document(
    register: Register,
    pipeline: Pipeline,
    store: ChunkStore,
    document: DocumentRecord,
    taxonomy: Taxonomy,
    theme_vectors: np.ndarray,
) -> None:
    pages = [store.page_text(document.doc_id, page) or "" for page in range(1, (document.pages or 1) + 1)]
    result = pipeline.run({"extractor": {"document": document, "pages": pages}}, include_outputs_from={"extractor"})
    recommendations = result["extractor"]["recommendations"]
    mentions = result["extractor"]["mentions"]
    vectors = result["embedder"]["vectors"]
    themes = [
        taxonomy.assign(r.text, vector, theme_vectors) for r, vector in zip(recommendations, vectors, strict=True)
    ]
    register.replace_document(
        document, recommendations, vectors, themes, mentions, result["embedder"]["mention_vectors"]
    )
