"""The indexing pipeline's steps as Haystack components: convert, split, embed, write."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

from haystack import component

from ingest.chunking import chunk_document
from ingest.metadata import infer_metadata
from ingest.parsed import ParsedDocument
from search.embedding import Embedder, passage_for_embedding
from search.models import DOC_TYPES, ChunkRecord, DocumentRecord
from search.store.protocol import ChunkStore

_SLUG = re.compile(r"[^a-z0-9]+")
FINGERPRINT_VERSION = "1"  # bump when chunking changes, so unchanged files are re-chunked


def slug(text: str) -> str:
    """A lower-case, hyphenated id made of letters and digits."""
    return _SLUG.sub("-", text.lower()).strip("-")[:80] or "document"


def fingerprint_context(overrides: dict[str, str], chunking: tuple[int, int]) -> str:
    """What besides a file's bytes decides whether it must be re-indexed: its metadata overrides, the chunking."""
    return json.dumps([overrides, chunking, FINGERPRINT_VERSION], sort_keys=True)


def fingerprint(content: bytes, overrides: dict[str, str], chunking: tuple[int, int]) -> str:
    """What decides whether a file must be re-indexed: its bytes and its ``fingerprint_context``."""
    digest = hashlib.sha256(content)
    digest.update(fingerprint_context(overrides, chunking).encode())
    return digest.hexdigest()


@component
class SourceConverter:
    """Reads a file into text pages and its metadata (manifest and sidecar values win over inferred ones).

    Parameters:
        max_bytes: largest file accepted.
        max_pages: most pages accepted.
        default_access: access level when none is given.
    """

    def __init__(self, *, max_bytes: int, max_pages: int, default_access: str = "public") -> None:
        self.max_bytes = max_bytes
        self.max_pages = max_pages
        self.default_access = default_access

    @component.output_types(parsed=ParsedDocument, metadata=dict)
    def run(self, path: str, overrides: dict[str, str]) -> dict[str, object]:
        """Reads the file at ``path``; returns ``parsed`` (the text) and ``metadata`` (inferred, then overridden)."""
        # Imported on first use: the PDF, Word and HTML libraries take a second to import, and a job
        # over unchanged files parses nothing.
        from ingest.loaders import load_document

        parsed = load_document(Path(path), max_bytes=self.max_bytes, max_pages=self.max_pages)
        metadata = infer_metadata(parsed, Path(path))
        metadata.update(overrides)
        metadata.setdefault("access", self.default_access)
        if metadata.get("doc_type") not in DOC_TYPES:
            metadata["doc_type"] = "other"
        return {"parsed": parsed, "metadata": metadata}


@component
class PassageSplitter:
    """Splits a parsed document into passages that follow its headings and numbered paragraphs.

    Parameters:
        target_words: words a passage aims for.
        max_words: words a passage never exceeds.
    """

    def __init__(self, *, target_words: int, max_words: int) -> None:
        self.target_words = target_words
        self.max_words = max_words

    @component.output_types(chunks=list[ChunkRecord])
    def run(self, parsed: ParsedDocument, doc_id: str) -> dict[str, list[ChunkRecord]]:
        """Returns ``chunks`` in document order (without embeddings)."""
        return {"chunks": chunk_document(parsed, doc_id, target_words=self.target_words, max_words=self.max_words)}


@component
class PassageEmbedder:
    """Adds embeddings to passages, each embedded with its document title and section for context.

    Parameters:
        embedder: the loaded model wrapper (shared with queries).
    """

    def __init__(self, *, embedder: Embedder) -> None:
        self.embedder = embedder

    def warm_up(self) -> None:
        """Load the model."""
        self.embedder.warm_up()

    @component.output_types(chunks=list[ChunkRecord])
    def run(self, chunks: list[ChunkRecord], metadata: dict) -> dict[str, list[ChunkRecord]]:
        """Returns ``chunks`` with ``embedding`` set."""
        title = str(metadata.get("title", ""))
        vectors = self.embedder.embed_passages([passage_for_embedding(c.text, title, c.section) for c in chunks])
        return {"chunks": [_with_embedding(c, v) for c, v in zip(chunks, vectors, strict=False)]}


def _with_embedding(chunk: ChunkRecord, vector: list[float]) -> ChunkRecord:
    return replace(chunk, embedding=vector)


@component
class StoreWriter:
    """Writes one document with its passages and page texts to the store, atomically.

    Parameters:
        store: the store, opened for writing.
    """

    def __init__(self, *, store: ChunkStore) -> None:
        self.store = store

    @component.output_types(documents=list[DocumentRecord])
    def run(
        self,
        chunks: list[ChunkRecord],
        parsed: ParsedDocument,
        metadata: dict,
        doc_id: str,
        source: str,
        content_hash: str,
    ) -> dict[str, list[DocumentRecord]]:
        """Returns ``documents``: the one record written."""
        record = DocumentRecord(
            doc_id=doc_id,
            title=str(metadata["title"]),
            doc_type=str(metadata["doc_type"]),
            source=source,
            content_hash=content_hash,
            publisher=metadata.get("publisher"),
            published=metadata.get("published"),
            area=metadata.get("area"),
            access=str(metadata["access"]),
            pages=parsed.page_count,
            chunks=len(chunks),
            series=metadata.get("series"),
        )
        self.store.upsert_document(record, chunks, parsed.pages)
        return {"documents": [record]}
