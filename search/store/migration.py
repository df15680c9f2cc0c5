"""Moving an index between backends without re-embedding: export to a dump, import from it.

A dump is a folder:

- ``documents.jsonl.gz``: one JSON object per document, self-contained: its record, its page
  texts and its passages with their embeddings (float32, little-endian, base64: exact).
- ``manifest.json``: format and version, the model and dimension the vectors came from, the
  counts of documents, passages and pages, and the SHA-256 of the data file. It is written last,
  so a dump whose export was interrupted has none and is refused.

Import checks the model and dimension against the target store (vectors of another model would
be meaningless there: re-ingest instead), loads document by document, and checks the counts.
Both work on any :class:`~search.store.protocol.ChunkStore`: the embedded store and OpenSearch.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from search.access import LOCAL_USER, User
from search.errors import IndexMismatchError, SettingsError, StoreError
from search.models import ChunkRecord, DocumentRecord
from search.settings import STORES, Settings
from search.store.factory import open_store
from search.store.protocol import ChunkStore

DUMP_FORMAT = "lessons-dump"
DUMP_VERSION = 1
MANIFEST = "manifest.json"
DATA_FILE = "documents.jsonl.gz"

_FLUSH_EVERY = 25

ProgressCallback = Callable[[int, int], None]
"""Called with (documents done, documents in all) as a transfer goes."""


@dataclass(frozen=True)
class TransferReport:
    """What an export, import or migration moved."""

    documents: int
    chunks: int
    pages: int
    model: str
    dimension: int
    path: str

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready values."""
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "pages": self.pages,
            "model": self.model,
            "dimension": self.dimension,
            "path": self.path,
        }

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{self.documents} documents, {self.chunks} passages, {self.pages} pages "
            f"({self.model}, {self.dimension}-d vectors, not re-embedded)"
        )


# -- reading a store ----------------------------------------------------------------------
def chunks_with_embeddings(store: ChunkStore, doc_id: str) -> list[ChunkRecord]:
    """A document's chunks in order, each with its stored embedding."""
    reader = getattr(store, "chunks_with_embeddings", None)
    if reader is not None:
        return list(reader(doc_id))
    records = getattr(store, "records", None)
    if records is None or not hasattr(records, "chunk_rows"):
        raise StoreError(f"the {type(store).__name__} store cannot hand out its embeddings for export")
    # The embedded store: passages and their vector bytes, both in ordinal order.
    chunks = records.chunks_of(doc_id)
    rows = records.chunk_rows(doc_id)
    if len(rows) != len(chunks):
        raise StoreError(f"document {doc_id} changed while it was being exported: run the export again")
    return [
        ChunkRecord(**{**_chunk_fields(chunk), "embedding": np.frombuffer(row[3], dtype=np.float32).tolist()})
        for chunk, row in zip(chunks, rows, strict=True)
    ]


def pages_of(store: ChunkStore, doc_id: str) -> list[str]:
    """A document's page texts, in order."""
    reader = getattr(store, "pages_of", None)
    if reader is not None:
        return list(reader(doc_id))
    pages: list[str] = []
    while (text := store.page_text(doc_id, len(pages) + 1)) is not None:
        pages.append(text)
    return pages


def _chunk_fields(chunk: ChunkRecord) -> dict[str, Any]:
    return {**chunk.position(), "text": chunk.text}


def _encode_vector(vector: list[float]) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def _decode_vector(text: str) -> list[float]:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float32).tolist()


def _document_line(store: ChunkStore, record: DocumentRecord) -> dict[str, Any]:
    chunks = chunks_with_embeddings(store, record.doc_id)
    return {
        "document": record.as_dict(),
        "pages": pages_of(store, record.doc_id),
        "chunks": [{**_chunk_fields(c), "embedding": _encode_vector(c.embedding or [])} for c in chunks],
    }


def _record_from_line(line: dict[str, Any]) -> tuple[DocumentRecord, list[ChunkRecord], list[str]]:
    record = DocumentRecord(**line["document"])
    chunks = [ChunkRecord(**{**c, "embedding": _decode_vector(c["embedding"])}) for c in line["chunks"]]
    return record, chunks, list(line["pages"])


def _model_of(store: ChunkStore) -> tuple[str, int]:
    model, dimension = getattr(store, "model", None), getattr(store, "dimension", None)
    if model is None or dimension is None:
        raise StoreError(f"the {type(store).__name__} store does not say which model its vectors came from")
    return str(model), int(dimension)


# -- export -------------------------------------------------------------------------------
def export_store(store: ChunkStore, path: Path, *, progress: ProgressCallback | None = None) -> TransferReport:
    """Write everything in ``store`` to the dump folder ``path`` (created; must be empty or absent).

    Returns what was written. Raises StoreError when ``path`` holds something else.
    """
    model, dimension = _model_of(store)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise StoreError(f"{path} already exists and is not an empty folder: give a new folder for the export")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the export folder {path} ({exc.strerror}): give a writable path") from None
    documents = store.list_documents()
    counts = {"documents": 0, "chunks": 0, "pages": 0}
    digest = hashlib.sha256()
    with gzip.open(path / DATA_FILE, "wt", encoding="utf-8") as data:
        for number, record in enumerate(documents, start=1):
            line = _document_line(store, record)
            if len(line["chunks"]) != record.chunks:
                raise StoreError(
                    f"document {record.doc_id} records {record.chunks} passages but {len(line['chunks'])} were read: "
                    "run `lessons check` and re-ingest it, then export again"
                )
            text = json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
            digest.update(text.encode("utf-8"))
            data.write(text)
            counts["documents"] += 1
            counts["chunks"] += len(line["chunks"])
            counts["pages"] += len(line["pages"])
            if progress:
                progress(number, len(documents))
    manifest = {
        "format": DUMP_FORMAT,
        "format_version": DUMP_VERSION,
        "model": model,
        "dimension": dimension,
        **counts,
        "data_sha256": digest.hexdigest(),
        "source_backend": getattr(store, "backend", type(store).__name__),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return TransferReport(model=model, dimension=dimension, path=str(path), **counts)


# -- import -------------------------------------------------------------------------------
def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the dump at ``path``; raises StoreError when it is missing or not a Lessons dump."""
    manifest_file = path / MANIFEST
    if not manifest_file.is_file():
        if (path / DATA_FILE).exists():
            raise StoreError(f"{path} has no {MANIFEST}: its export did not finish; export again")
        raise StoreError(f"{path} is not a Lessons export (no {MANIFEST}): give the folder `lessons export` wrote")
    try:
        manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read {manifest_file} ({exc}): export again") from None
    if manifest.get("format") != DUMP_FORMAT or manifest.get("format_version") != DUMP_VERSION:
        raise StoreError(
            f"{path} is format {manifest.get('format')!r} version {manifest.get('format_version')!r}; "
            f"this Lessons reads {DUMP_FORMAT!r} version {DUMP_VERSION}: export it again with this version"
        )
    return manifest


def _lines(path: Path) -> Iterator[tuple[DocumentRecord, list[ChunkRecord], list[str]]]:
    with gzip.open(path / DATA_FILE, "rt", encoding="utf-8") as data:
        for text in data:
            yield _record_from_line(json.loads(text))


def verify_dump(path: Path) -> dict[str, Any]:
    """Read the whole dump once and check it against its manifest; returns the manifest.

    Raises StoreError naming what is wrong, before anything is imported.
    """
    manifest = read_manifest(path)
    digest = hashlib.sha256()
    counts = {"documents": 0, "chunks": 0, "pages": 0}
    try:
        with gzip.open(path / DATA_FILE, "rt", encoding="utf-8") as data:
            for text in data:
                digest.update(text.encode("utf-8"))
                record, chunks, pages = _record_from_line(json.loads(text))
                if any(len(chunk.embedding or ()) != manifest["dimension"] for chunk in chunks):
                    raise ValueError(f"a passage of {record.doc_id} has a vector of another length")
                counts["documents"] += 1
                counts["chunks"] += len(chunks)
                counts["pages"] += len(pages)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"the export in {path} is damaged after {counts['documents']} documents ({type(exc).__name__}: {exc}): "
            "export it again"
        ) from None
    if digest.hexdigest() != manifest.get("data_sha256") or any(counts[key] != manifest.get(key) for key in counts):
        expected = {key: manifest.get(key) for key in counts}
        raise StoreError(
            f"the export in {path} does not match its manifest (read {counts}, the manifest says {expected}): "
            "export it again"
        )
    return manifest


def import_store(path: Path, store: ChunkStore, *, progress: ProgressCallback | None = None) -> TransferReport:
    """Load the dump at ``path`` into ``store`` (opened writable) without re-embedding.

    Documents already in ``store`` with the same id are replaced; others are kept. Raises
    IndexMismatchError when the dump's model or dimension differs from the store's, and
    StoreError when the dump is damaged or its counts do not add up.
    """
    manifest = read_manifest(path)
    model, dimension = _model_of(store)
    if manifest.get("model") != model or int(manifest["dimension"]) != dimension:
        raise IndexMismatchError(
            f"the export in {path} holds vectors of model {manifest['model']} ({manifest['dimension']}-d), the target "
            f"store uses {model} ({dimension}-d): import it with LESSONS_MODEL={manifest['model']}, or run "
            "`lessons ingest` on the documents to embed them with the new model"
        )
    # Check the whole dump first: a damaged one must not replace documents that are fine.
    verify_dump(path)
    counts = {"documents": 0, "chunks": 0, "pages": 0}
    for record, chunks, pages in _lines(path):
        store.upsert_document(record, chunks, pages)
        counts["documents"] += 1
        counts["chunks"] += len(chunks)
        counts["pages"] += len(pages)
        if counts["documents"] % _FLUSH_EVERY == 0:
            store.flush()
        if progress:
            progress(counts["documents"], int(manifest["documents"]))
    store.flush()
    return TransferReport(model=model, dimension=dimension, path=str(path), **counts)


def copy_store(source: ChunkStore, target: ChunkStore, *, progress: ProgressCallback | None = None) -> TransferReport:
    """Copy every document of ``source`` into ``target`` (opened writable), without re-embedding.

    Raises IndexMismatchError when the two use different models or dimensions.
    """
    model, dimension = _model_of(source)
    if (model, dimension) != _model_of(target):
        target_model, target_dimension = _model_of(target)
        raise IndexMismatchError(
            f"the source store uses {model} ({dimension}-d), the target {target_model} ({target_dimension}-d): "
            "vectors cannot move between models; ingest the documents again into the target"
        )
    documents = source.list_documents()
    counts = {"documents": 0, "chunks": 0, "pages": 0}
    for number, record in enumerate(documents, start=1):
        chunks = chunks_with_embeddings(source, record.doc_id)
        pages = pages_of(source, record.doc_id)
        target.upsert_document(record, chunks, pages)
        counts["documents"] += 1
        counts["chunks"] += len(chunks)
        counts["pages"] += len(pages)
        if number % _FLUSH_EVERY == 0:
            target.flush()
        if progress:
            progress(number, len(documents))
    target.flush()
    return TransferReport(model=model, dimension=dimension, path="", **counts)


# -- with the configured stores -----------------------------------------------------------
def export_index(
    settings: Settings, path: Path, *, progress: ProgressCallback | None = None, user: User = LOCAL_USER
) -> TransferReport:
    """Export the configured store to the dump folder ``path``."""
    user.require_admin()
    store = open_store(settings, writable=False)
    try:
        return export_store(store, path, progress=progress)
    finally:
        store.close()


def import_index(
    settings: Settings, path: Path, *, progress: ProgressCallback | None = None, user: User = LOCAL_USER
) -> TransferReport:
    """Import the dump folder ``path`` into the configured store (checked whole before anything is written)."""
    user.require_admin()
    read_manifest(path)  # refuse a folder that is not an export before opening (and creating) a store
    store = open_store(settings, writable=True)
    try:
        return import_store(path, store, progress=progress)
    finally:
        store.close()


def migrate_index(
    settings: Settings, to: str, *, progress: ProgressCallback | None = None, user: User = LOCAL_USER
) -> TransferReport:
    """Copy the configured store (``settings.store``) into the backend ``to``, without re-embedding.

    The embedded side is ``settings.data_dir``; the OpenSearch side is ``settings.opensearch_*``.
    """
    user.require_admin()
    if to not in STORES:
        raise SettingsError(f"cannot migrate to {to!r}: use one of {', '.join(STORES)}")
    if to == settings.store:
        raise SettingsError(f"the configured store is already {to!r}: set LESSONS_STORE to the backend to migrate from")
    source = open_store(settings, writable=False)
    try:
        target = open_store(replace(settings, store=to), writable=True, dimension=_model_of(source)[1])
        try:
            report = copy_store(source, target, progress=progress)
        finally:
            target.close()
    finally:
        source.close()
    where = (
        str(settings.data_dir) if to == "embedded" else f"{settings.opensearch_url} index {settings.opensearch_index}"
    )
    return replace(report, path=where)
