"""The backends the conformance suite runs against, and a small hand-made corpus with real embeddings.

The embedded store always; OpenSearch when ``LESSONS_OPENSEARCH_URL`` points at a live cluster
(each test run uses fresh indexes named ``lessons-test-<random>-...`` and deletes them after).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from search.embedding import PACKAGED_DIMENSION, Embedder, passage_for_embedding
from search.models import ChunkRecord, DocumentRecord
from search.settings import PACKAGED_MODEL, Settings, load_settings
from search.store.protocol import ChunkStore

OPENSEARCH_SKIP = (
    "no OpenSearch cluster: LESSONS_OPENSEARCH_URL is not set. Start one with "
    "`OPENSEARCH_INITIAL_ADMIN_PASSWORD='<a strong password>' docker compose up -d opensearch`, then run "
    "`LESSONS_OPENSEARCH_URL=https://localhost:9200 LESSONS_OPENSEARCH_PASSWORD='<that password>' "
    "LESSONS_OPENSEARCH_VERIFY_CERTS=false .venv/bin/python -m pytest -m opensearch tests/search/store`"
)

BACKENDS = ["embedded", pytest.param("opensearch", marks=pytest.mark.opensearch)]
"""Parameters for a backend-parametrised fixture."""


def opensearch_settings(data_dir: Path, name: str) -> Settings:
    """Settings for fresh OpenSearch indexes on the cluster of LESSONS_OPENSEARCH_URL (or skip)."""
    if not os.environ.get("LESSONS_OPENSEARCH_URL"):
        pytest.skip(OPENSEARCH_SKIP)
    environ = {key: value for key, value in os.environ.items() if key.startswith("LESSONS_OPENSEARCH_")}
    return load_settings(
        {
            "store": "opensearch",
            "data_dir": data_dir,
            "opensearch_index": f"lessons-test-{uuid.uuid4().hex[:8]}-{name}",
            "opensearch_replicas": 0,
        },
        environ=environ,
    )


def backend_settings(backend: str, data_dir: Path, name: str) -> Settings:
    """Settings choosing ``backend``, with a store of its own (a folder, or fresh indexes)."""
    if backend == "opensearch":
        return opensearch_settings(data_dir, name)
    return load_settings({"data_dir": data_dir / name}, environ={})


def open_backend(
    settings: Settings, *, writable: bool, model: str = PACKAGED_MODEL, dimension: int = PACKAGED_DIMENSION
) -> ChunkStore:
    """The store of ``settings`` opened with a given model name (to test refusals of another model)."""
    if settings.store == "opensearch":
        from search.store.opensearch import OpenSearchStore

        return OpenSearchStore(settings, model=model, dimension=dimension, writable=writable)
    from search.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.data_dir, model=model, dimension=dimension, writable=writable)


def drop(settings: Settings) -> None:
    """Delete a test's OpenSearch indexes and template (nothing to do for a folder)."""
    if settings.store != "opensearch":
        return
    from search.store.opensearch.connection import connect
    from search.store.opensearch.mappings import IndexNames

    names = IndexNames(settings.opensearch_index)
    client = connect(settings)
    try:
        client.indices.delete(index=",".join(names.all()), ignore_unavailable=True)
        client.indices.delete_index_template(name=f"{names.chunks}-passages", ignore=404)
    finally:
        client.close()


@dataclass(frozen=True)
class SampleDocument:
    """A hand-made document: its record, page texts, and passages as (page, section, text)."""

    record: DocumentRecord
    pages: list[str]
    passages: list[tuple[int | None, str | None, str]]


def _document(
    doc_id: str,
    title: str,
    doc_type: str,
    publisher: str | None,
    published: str | None,
    area: str | None,
    access: str,
    pages: int | None,
) -> DocumentRecord:
    return DocumentRecord(
        doc_id=doc_id,
        title=title,
        doc_type=doc_type,
        source=f"/documents/{doc_id}.pdf",
        content_hash=f"sha-{doc_id}",
        publisher=publisher,
        published=published,
        area=area,
        access=access,
        pages=pages,
        indexed_at="2026-01-05T10:00:00+00:00",
    )


SAMPLE = (
    SampleDocument(
        _document(
            "dsl-training-guidance",
            "Designated safeguarding lead training",
            "guidance",
            "Department for Education",
            "2024-09-02",
            "national",
            "public",
            2,
        ),
        ["Training for the designated safeguarding lead.", "Training for all staff."],
        [
            (
                1,
                "Training > DSL",
                "The designated safeguarding lead must undertake refresher training at least every "
                "two years to keep their knowledge and skills up to date.",
            ),
            (
                2,
                "Training > Staff",
                "Governing bodies should ensure that all staff receive safeguarding and child "
                "protection training at induction.",
            ),
        ],
    ),
    SampleDocument(
        _document(
            "mash-review-2020",
            "Review of the multi-agency safeguarding hub",
            "review",
            "Marshfield Safeguarding Children Partnership",
            "2020-06-15",
            "Marshfield",
            "public",
            2,
        ),
        ["Findings of the review.", "Recommendations of the review."],
        [
            (
                1,
                "Findings",
                "The review found that referrals to the multi-agency safeguarding hub were recorded late "
                "and decisions were not written down.",
            ),
            (
                2,
                "Recommendations",
                "Recommendation 3: the partnership should audit MASH decision recording every six months.",
            ),
        ],
    ),
    SampleDocument(
        _document(
            "missing-children-procedure",
            "Children missing from care procedure",
            "procedure",
            "Marshfield County Council",
            "2022-03-01",
            "Marshfield",
            "internal",
            1,
        ),
        ["When a child goes missing."],
        [
            (
                1,
                "Missing from care",
                "When a child goes missing from care, the social worker must be told within one "
                "hour and a return home interview offered within 72 hours.",
            )
        ],
    ),
    SampleDocument(
        _document(
            "committee-minutes",
            "Corporate parenting committee minutes",
            "minutes",
            None,
            None,
            None,
            "restricted",
            None,
        ),
        ["Minutes of the meeting."],
        [
            (
                None,
                None,
                "The committee noted the annual report on private fostering arrangements and asked for a "
                "briefing on notification rates.",
            )
        ],
    ),
    SampleDocument(
        _document(
            "peer-abuse-statement",
            "Statement on peer-on-peer abuse",
            "statement",
            "Harbourside Council",
            "2019-11-20",
            "Harbourside",
            "public",
            1,
        ),
        ["Our statement."],
        [
            (
                1,
                None,
                "Pupils who report a sexual assault by another pupil must be listened to, kept safe and "
                "supported by the school.",
            )
        ],
    ),
)

EVERY_PASSAGE_QUERY = "refresher induction referrals audit missing fostering assault"
"""A keyword query that matches at least one word of every sample passage."""


def embedded_chunks(document: SampleDocument, embedder: Embedder, *, passages=None) -> list[ChunkRecord]:
    """The document's passages as chunks, embedded with the real model (as ingestion does)."""
    passages = document.passages if passages is None else passages
    texts = [passage_for_embedding(text, document.record.title, section) for _, section, text in passages]
    vectors = embedder.embed_passages(texts)
    return [
        ChunkRecord(
            doc_id=document.record.doc_id,
            ordinal=number,
            text=text,
            page=page,
            page_end=page,
            section=section,
            char_start=0,
            char_end=len(text),
            embedding=vector,
        )
        for number, ((page, section, text), vector) in enumerate(zip(passages, vectors, strict=True))
    ]


def fill(store: ChunkStore, corpus: dict[str, list[ChunkRecord]]) -> None:
    """Write the sample documents and flush."""
    for document in SAMPLE:
        store.upsert_document(document.record, corpus[document.record.doc_id], document.pages)
    store.flush()
