"""Bring the recommendations register up to date with the store, at the end of every ingest job.

1. Documents that left the store are dropped from the register.
2. Every document whose content hash differs from the one the register recorded (new, changed,
   or never read: an older store without a register) is read again from its stored page texts.
3. Status events and recurrence groups are recomputed across the whole register.

Each document is written in its own transaction and step 3 in one more, so a job killed at any
point leaves a consistent register, and running the sync again converges on the same result. A
document that cannot be read is listed in the report and the sync goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from haystack import Pipeline

from ingest.recommendations.components import build_register_pipeline
from ingest.recommendations.extraction import EXTRACTOR_VERSION
from ingest.report import FailedSource, RegisterReport
from search.embedding import Embedder
from search.models import DocumentRecord
from search.recommendations.followup import follow_up
from search.recommendations.recurrence import group_recommendations
from search.recommendations.register import SCHEMA_VERSION, Register, register_path
from search.recommendations.themes import Taxonomy, load_taxonomy
from search.settings import Settings
from search.store.protocol import ChunkStore

log = logging.getLogger(__name__)


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
        records = register.recommendations()
        found = follow_up(records, register.mentions(), register.documents())
        groups, labels = group_recommendations(records, settings.recurrence_threshold, found.links, taxonomy.topics)
        register.replace_derived(found.events, groups, labels)
        report.recommendations = len(records)
        report.recurring = len({group for group in groups.values()})
        report.status_links = sum(1 for event in found.events if event.status is not None)
    finally:
        register.close()
    return report


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
