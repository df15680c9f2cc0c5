"""How Lessons' records are laid out as OpenSearch documents, and read back.

Passages and pages carry the *generation* of the write that made them: a new version of a
document is written under a new generation, then its document record is switched to that
generation in one single-document write, then the old generation is deleted. A search keeps
only passages of their document's live generation, so a reader sees the old version or the new
one, never a mixture (see :mod:`search.store.opensearch.store`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from search.models import ChunkRecord, DocumentRecord

_DOCUMENT_FIELDS = (
    "doc_id",
    "title",
    "doc_type",
    "source",
    "content_hash",
    "publisher",
    "published",
    "area",
    "access",
    "pages",
    "chunks",
    "series",
    "indexed_at",
)


def new_generation() -> str:
    """A fresh generation id."""
    return uuid.uuid4().hex[:16]


def chunk_id(doc_id: str, ordinal: int, generation: str) -> str:
    """The OpenSearch ``_id`` of one passage of one generation."""
    return f"{doc_id}#{ordinal}@{generation}"


def page_id(doc_id: str, page: int, generation: str) -> str:
    """The OpenSearch ``_id`` of one page text of one generation."""
    return f"{doc_id}@{generation}#p{page}"


@dataclass(frozen=True)
class StoredDocument:
    """A document record as the backend keeps it: the record, its live generation, its page count."""

    record: DocumentRecord
    generation: str
    stored_pages: int


def document_source(document: DocumentRecord, *, generation: str, stored_pages: int, indexed_at: str) -> dict[str, Any]:
    """The ``_source`` of a document record."""
    source: dict[str, Any] = {name: getattr(document, name) for name in _DOCUMENT_FIELDS}
    source.update(indexed_at=document.indexed_at or indexed_at, generation=generation, stored_pages=stored_pages)
    return source


def document_from_source(source: dict[str, Any]) -> StoredDocument:
    """A stored document from its ``_source``."""
    fields: dict[str, Any] = {name: source.get(name) for name in _DOCUMENT_FIELDS}
    record = DocumentRecord(**fields)
    return StoredDocument(record=record, generation=str(source["generation"]), stored_pages=int(source["stored_pages"]))


def chunk_source(chunk: ChunkRecord, document: DocumentRecord, generation: str) -> dict[str, Any]:
    """The ``_source`` of a passage: a Haystack ``Document`` (id, content, embedding, flat metadata).

    The document's filter fields are copied onto the passage; ``context`` (title and section
    path) is searched with a lower weight, as on the embedded store.
    """
    return {
        "id": chunk.chunk_id,
        "content": chunk.text,
        "context": f"{document.title} {chunk.section or ''}".strip(),
        "embedding": [float(value) for value in chunk.embedding or ()],
        **chunk.position(),
        "generation": generation,
        "doc_type": document.doc_type,
        "publisher": document.publisher or "",
        "area": document.area or "",
        "access": document.access,
        "published": document.published,
    }


def chunk_from_fields(fields: dict[str, Any], *, content: str, embedding: list[float] | None = None) -> ChunkRecord:
    """A ChunkRecord from a passage's flat fields (a ``_source`` or a Haystack Document's ``meta``)."""
    return ChunkRecord(
        doc_id=str(fields["doc_id"]),
        ordinal=int(fields["ordinal"]),
        text=content,
        page=fields.get("page"),
        page_end=fields.get("page_end"),
        section=fields.get("section"),
        paragraph=fields.get("paragraph"),
        char_start=int(fields.get("char_start") or 0),
        char_end=int(fields.get("char_end") or 0),
        embedding=embedding,
    )


def page_source(doc_id: str, page: int, text: str, generation: str) -> dict[str, Any]:
    """The ``_source`` of one page text."""
    return {"doc_id": doc_id, "generation": generation, "page": page, "text": text}
