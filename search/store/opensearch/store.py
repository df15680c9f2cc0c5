"""The OpenSearch backend: the same :class:`~search.store.protocol.ChunkStore` as the embedded store.

For when one machine is not enough: passages live in a sharded, replicated OpenSearch index
(English BM25 and an HNSW k-NN graph), searched through the opensearch-haystack retrievers;
document records, page texts and report history live in companion indexes
(:mod:`search.store.opensearch.mappings`).

How a reader never sees half a document: a write puts the new passages and pages under a new
*generation*; then one single-document write switches the document record to that generation
(OpenSearch writes one document atomically); then the old generation is deleted. Searches keep
only passages whose generation is their document's live one (read in real time, by id), so they
see the old version or the new one. If a job is killed between those steps, the record still
names the old generation, so nothing half-written is ever shown, and the next write of that
document (or :meth:`OpenSearchStore.purge_stale`) clears what was left behind.

One ingest job at a time should write to an index (the docker-compose ``ingest`` service runs
one); there is no cluster-wide write lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from haystack import Document
from haystack_integrations.components.retrievers.opensearch import (
    OpenSearchBM25Retriever,
    OpenSearchEmbeddingRetriever,
)
from haystack_integrations.document_stores.opensearch import OpenSearchDocumentStore
from opensearchpy import exceptions as os_errors
from opensearchpy.helpers import scan

from search.errors import IndexMismatchError, RejectedChunksError, StoreError
from search.models import ChunkRecord, DocumentRecord, SearchFilters, StoreStats
from search.settings import Settings, env_name
from search.store.opensearch.bulk import write_bulk
from search.store.opensearch.connection import client_options, connect, translated_errors
from search.store.opensearch.layout import (
    StoredDocument,
    chunk_from_fields,
    chunk_id,
    chunk_source,
    document_from_source,
    document_source,
    new_generation,
    page_id,
    page_source,
)
from search.store.opensearch.mappings import IndexNames, index_bodies, mismatch, template_body
from search.store.opensearch.queries import (
    cosine_from_score,
    document_generation_query,
    keyword_query,
    vector_query,
)

log = logging.getLogger(__name__)

DOCUMENT_CACHE_S = 30.0
"""How long the full document map may be reused before it is read again (hits refresh it sooner)."""

MAX_WINDOW = 10_000
"""OpenSearch's default ``index.max_result_window``: the most hits one search may ask for."""

_IDS_PER_MGET = 1000


class OpenSearchStore:
    """The store on an OpenSearch cluster (implements :class:`search.store.protocol.ChunkStore`).

    Parameters:
        settings: the cluster URL(s), credentials, index name, shards, replicas and TLS options.
        model: name of the embedding model; an index built with another is refused.
        dimension: length of that model's embeddings.
        writable: allow writes (a reader refuses them, as the embedded store's readers do).

    Creates the index (and its template and companions) when missing. Raises
    StoreUnreachableError, StoreAuthError or IndexMismatchError, each naming the URL or index and the fix.
    """

    backend = "opensearch"

    def __init__(self, settings: Settings, *, model: str, dimension: int, writable: bool = False) -> None:
        self.settings = settings
        self.model = model
        self.dimension = dimension
        self.writable = writable
        self.names = IndexNames(settings.opensearch_index)
        self.client = connect(settings)
        self._documents: dict[str, DocumentRecord] | None = None
        self._documents_read_at = 0.0
        self._ensure_indexes()
        options = client_options(settings)
        self.passages = OpenSearchDocumentStore(
            hosts=options.pop("hosts"),
            index=self.names.chunks,
            embedding_dim=dimension,
            create_index=False,
            http_auth=options.pop("http_auth"),
            verify_certs=options.pop("verify_certs"),
            timeout=max(1, math.ceil(options.pop("timeout"))),
            **options,
        )
        self._keyword_retriever = OpenSearchBM25Retriever(document_store=self.passages)
        self._embedding_retriever = OpenSearchEmbeddingRetriever(document_store=self.passages)

    def _errors(self, doing: str, index: str | None = None) -> Any:
        return translated_errors(self.settings, index=index or self.names.chunks, doing=doing)

    # -- indexes --------------------------------------------------------------------------
    def _ensure_indexes(self) -> None:
        layout: dict[str, Any] = dict(
            model=self.model,
            dimension=self.dimension,
            shards=self.settings.opensearch_shards,
            replicas=self.settings.opensearch_replicas,
        )
        bodies = index_bodies(self.names, **layout)
        with self._errors("open"):
            if self.client.indices.exists(index=self.names.chunks):
                self._check_model()
            else:
                self.client.indices.put_index_template(
                    name=f"{self.names.chunks}-passages",
                    body=template_body(self.names, **layout),
                )
            for index, body in bodies.items():
                if not self.client.indices.exists(index=index):
                    self._create(index, body)

    def _create(self, index: str, body: dict[str, Any]) -> None:
        try:
            self.client.indices.create(index=index, body=body)
            log.info("created OpenSearch index %s", index)
        except os_errors.RequestError as exc:
            if exc.error == "resource_already_exists_exception":
                return  # another process created it first
            if "knn" in str(exc.info):
                raise StoreError(
                    f"OpenSearch at {self.settings.opensearch_url} cannot create index {index!r} with k-NN vectors "
                    f"({exc.error}): use an OpenSearch distribution with the k-NN plugin (the official images have it)"
                ) from None
            raise

    def _check_model(self) -> None:
        mapping = self.client.indices.get_mapping(index=self.names.chunks)
        mappings = next(iter(mapping.values()))["mappings"]
        reason = mismatch(mappings, model=self.model, dimension=self.dimension)
        if reason is None:
            return
        stored = (mappings.get("_meta") or {}).get("model")
        use_it = f"set {env_name('model')}={stored} to search it, or " if stored else ""
        raise IndexMismatchError(
            f"the OpenSearch index {self.names.chunks!r} at {self.settings.opensearch_url} cannot be used: {reason}: "
            f"{use_it}set {env_name('opensearch_index')} to a new index name and run `lessons ingest` again"
        )

    # -- writes ---------------------------------------------------------------------------
    def _require_writer(self) -> None:
        if not self.writable:
            raise StoreError("this store was opened for reading: open it with writable=True to change it")

    def upsert_document(self, document: DocumentRecord, chunks: Sequence[ChunkRecord], pages: Sequence[str]) -> None:
        """Replace a document: new generation written, record switched to it, old generation deleted.

        Raises RejectedChunksError (a DocumentError: the job lists it and goes on) naming each
        passage the cluster refused; the document's previous version then stays as it was.
        """
        self._require_writer()
        for chunk in chunks:
            if chunk.embedding is None or len(chunk.embedding) != self.dimension:
                raise StoreError(
                    f"chunk {chunk.chunk_id} has no {self.dimension}-d embedding: embed chunks before writing"
                )
        doc_id = document.doc_id
        generation = new_generation()
        with self._errors("write to"):
            previous = self._stored(doc_id)
            rejections = self._write_generation(document, chunks, pages, generation)
            if rejections:
                self._delete_generation(doc_id, generation, len(chunks), len(pages))
                shown = "; ".join(rejections[:5]) + (f"; and {len(rejections) - 5} more" if len(rejections) > 5 else "")
                raise RejectedChunksError(
                    document.source,
                    f"OpenSearch rejected {len(rejections)} of {len(chunks) + len(pages)} passages and pages of "
                    f"{doc_id} (the previous version, if any, is kept): {shown}",
                    rejections,
                )
            stored = self._switch(document, generation, chunk_count=len(chunks), stored_pages=len(pages))
            for displaced in self._others_from_source(document):
                self.delete_document(displaced)
            if previous is not None:
                self._delete_generation(doc_id, previous.generation, previous.record.chunks, previous.stored_pages)
            self._sweep(doc_id, keep=generation)
        if self._documents is not None:
            self._documents[doc_id] = stored.record

    def _write_generation(
        self, document: DocumentRecord, chunks: Sequence[ChunkRecord], pages: Sequence[str], generation: str
    ) -> list[str]:
        actions: list[dict[str, Any]] = [
            {
                "_op_type": "index",
                "_index": self.names.chunks,
                "_id": chunk_id(document.doc_id, position, generation),
                "_source": chunk_source(chunk, document, generation),
            }
            for position, chunk in enumerate(chunks)
        ]
        actions += [
            {
                "_op_type": "index",
                "_index": self.names.pages,
                "_id": page_id(document.doc_id, number, generation),
                "_source": page_source(document.doc_id, number, text, generation),
            }
            for number, text in enumerate(pages, start=1)
        ]
        return write_bulk(self.client, actions)

    def _switch(
        self, document: DocumentRecord, generation: str, *, chunk_count: int, stored_pages: int
    ) -> StoredDocument:
        """The one atomic step: the document record now names the new generation."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        record = replace(document, chunks=chunk_count, indexed_at=document.indexed_at or now)
        source = document_source(record, generation=generation, stored_pages=stored_pages, indexed_at=now)
        self.client.index(index=self.names.documents, id=document.doc_id, body=source)
        return StoredDocument(record=record, generation=generation, stored_pages=stored_pages)

    def _others_from_source(self, document: DocumentRecord) -> list[str]:
        found = self.client.search(
            index=self.names.documents,
            body={
                "size": 100,
                "_source": False,
                "query": {
                    "bool": {
                        "filter": [{"term": {"source": document.source}}],
                        "must_not": [{"term": {"doc_id": document.doc_id}}],
                    }
                },
            },
        )
        return [hit["_id"] for hit in found["hits"]["hits"]]

    def _delete_generation(self, doc_id: str, generation: str, chunk_count: int, page_count: int) -> None:
        """Delete one generation's passages and pages by id (immediate, unlike a delete-by-query)."""
        actions = [
            {"_op_type": "delete", "_index": self.names.chunks, "_id": chunk_id(doc_id, position, generation)}
            for position in range(chunk_count)
        ] + [
            {"_op_type": "delete", "_index": self.names.pages, "_id": page_id(doc_id, number, generation)}
            for number in range(1, page_count + 1)
        ]
        for rejection in write_bulk(self.client, actions):
            log.warning("could not delete an old passage (searches skip it; the next write retries): %s", rejection)

    def _sweep(self, doc_id: str, *, keep: str | None) -> None:
        """Delete whatever other generations of ``doc_id`` are left (e.g. by a killed job)."""
        for index in (self.names.chunks, self.names.pages):
            self.client.delete_by_query(
                index=index, body=document_generation_query(doc_id, keep=keep), conflicts="proceed", refresh=False
            )

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document: its record first (searches stop showing it at once), then its passages."""
        self._require_writer()
        with self._errors("delete from"):
            previous = self._stored(doc_id)
            if previous is None:
                return False
            self.client.delete(index=self.names.documents, id=doc_id)
            self._delete_generation(doc_id, previous.generation, previous.record.chunks, previous.stored_pages)
            self._sweep(doc_id, keep=None)
        if self._documents is not None:
            self._documents.pop(doc_id, None)
        return True

    def flush(self) -> None:
        """Refresh the indexes so that every write so far is visible to searches everywhere."""
        self._require_writer()
        with self._errors("refresh"):
            self.client.indices.refresh(index=",".join(self.names.all()))

    def purge_stale(self) -> int:
        """Delete passages and pages of generations no record names (left by killed jobs); returns how many."""
        self._require_writer()
        live = {doc_id: stored.generation for doc_id, stored in self._all_stored().items()}
        removed = 0
        with self._errors("clean up"):
            for index in (self.names.chunks, self.names.pages):
                for (doc_id, generation), count in self._counts_by_generation(index).items():
                    if live.get(doc_id) != generation:
                        self.client.delete_by_query(
                            index=index,
                            conflicts="proceed",
                            refresh=True,
                            body={
                                "query": {
                                    "bool": {
                                        "filter": [{"term": {"doc_id": doc_id}}, {"term": {"generation": generation}}]
                                    }
                                }
                            },
                        )
                        removed += count
        return removed

    # -- reads ----------------------------------------------------------------------------
    def _stored(self, doc_id: str) -> StoredDocument | None:
        try:
            found = self.client.get(index=self.names.documents, id=doc_id)
        except os_errors.NotFoundError:
            return None
        return document_from_source(found["_source"])

    def _stored_many(self, doc_ids: Iterable[str]) -> dict[str, StoredDocument]:
        wanted = sorted(set(doc_ids))
        if not wanted:
            return {}
        found = self.client.mget(index=self.names.documents, body={"ids": wanted})
        return {doc["_id"]: document_from_source(doc["_source"]) for doc in found["docs"] if doc.get("found")}

    def _all_stored(self) -> dict[str, StoredDocument]:
        with self._errors("read"):
            return {
                hit["_id"]: document_from_source(hit["_source"])
                for hit in scan(self.client, index=self.names.documents, query={"query": {"match_all": {}}})
            }

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        """The document with this id, or None (read in real time)."""
        with self._errors("read"):
            stored = self._stored(doc_id)
        return None if stored is None else stored.record

    def document_for_source(self, source: str) -> DocumentRecord | None:
        """The document ingested from ``source``, or None."""
        with self._errors("read"):
            found = self.client.search(
                index=self.names.documents, body={"size": 1, "query": {"term": {"source": source}}}
            )
        hits = found["hits"]["hits"]
        return document_from_source(hits[0]["_source"]).record if hits else None

    def list_documents(self) -> list[DocumentRecord]:
        """All documents, by title."""
        records = [stored.record for stored in self._all_stored().values()]
        return sorted(records, key=lambda record: (record.title, record.doc_id))

    def documents_by_id(self) -> dict[str, DocumentRecord]:
        """Every document keyed by id (read again after ``DOCUMENT_CACHE_S``; searches keep it current for their hits)."""
        now = time.monotonic()
        if self._documents is None or now - self._documents_read_at > DOCUMENT_CACHE_S:
            self._documents = {doc_id: stored.record for doc_id, stored in self._all_stored().items()}
            self._documents_read_at = now
        return self._documents

    def page_text(self, doc_id: str, page: int) -> str | None:
        """One page's text, or None."""
        with self._errors("read"):
            stored = self._stored(doc_id)
            if stored is None or not 1 <= page <= stored.stored_pages:
                return None
            try:
                found = self.client.get(index=self.names.pages, id=page_id(doc_id, page, stored.generation))
            except os_errors.NotFoundError:
                return None
        return str(found["_source"]["text"])

    def pages_of(self, doc_id: str) -> list[str]:
        """Every page text of a document, in order (for export)."""
        with self._errors("read"):
            stored = self._stored(doc_id)
            if stored is None:
                return []
            ids = [page_id(doc_id, number, stored.generation) for number in range(1, stored.stored_pages + 1)]
            sources = self._mget_sources(self.names.pages, ids)
        return [str(source["text"]) for source in sources]

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in order (without embeddings)."""
        return self._chunks(doc_id, with_embeddings=False)

    def chunks_with_embeddings(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in order, with their embeddings (for export)."""
        return self._chunks(doc_id, with_embeddings=True)

    def _chunks(self, doc_id: str, *, with_embeddings: bool) -> list[ChunkRecord]:
        with self._errors("read"):
            stored = self._stored(doc_id)
            if stored is None:
                return []
            ids = [chunk_id(doc_id, position, stored.generation) for position in range(stored.record.chunks)]
            sources = self._mget_sources(self.names.chunks, ids, with_embeddings=with_embeddings)
        chunks = [
            chunk_from_fields(
                source, content=source["content"], embedding=source["embedding"] if with_embeddings else None
            )
            for source in sources
        ]
        return sorted(chunks, key=lambda chunk: chunk.ordinal)

    def _mget_sources(self, index: str, ids: list[str], *, with_embeddings: bool = True) -> list[dict[str, Any]]:
        sources: list[dict[str, Any]] = []
        for start in range(0, len(ids), _IDS_PER_MGET):
            body: dict[str, Any] = {"ids": ids[start : start + _IDS_PER_MGET]}
            params = {} if with_embeddings else {"_source_excludes": "embedding"}
            found = self.client.mget(index=index, body=body, **params)
            sources += [doc["_source"] for doc in found["docs"] if doc.get("found")]
        return sources

    # -- search ---------------------------------------------------------------------------
    def keyword_search(self, query: str, top_k: int, filters: SearchFilters) -> list[tuple[ChunkRecord, float]]:
        """BM25 search (English analyser over passage text, and title and section weighted 0.3), best first."""
        body = keyword_query(query, filters)
        if body is None:
            return []

        def fetch(size: int) -> list[Document]:
            output = self._keyword_retriever.run(query=query, top_k=size, custom_query=body)
            return list(output["documents"])

        return self._search(fetch, top_k, score=lambda document: float(document.score or 0.0))

    def vector_search(
        self, embedding: Sequence[float], top_k: int, filters: SearchFilters
    ) -> list[tuple[ChunkRecord, float]]:
        """Nearest passages by cosine similarity (HNSW; filters applied inside the graph search), best first."""
        if len(embedding) != self.dimension:
            raise StoreError(
                f"the query vector has {len(embedding)} values, the index holds {self.dimension}-d vectors"
            )
        if not any(embedding):
            return []
        vector = [float(value) for value in embedding]

        def fetch(size: int) -> list[Document]:
            output = self._embedding_retriever.run(
                query_embedding=vector, top_k=size, custom_query=vector_query(vector, size, filters)
            )
            return list(output["documents"])

        return self._search(fetch, top_k, score=lambda document: cosine_from_score(float(document.score or 0.0)))

    def _search(
        self, fetch: Callable[[int], list[Document]], top_k: int, *, score: Callable[[Document], float]
    ) -> list[tuple[ChunkRecord, float]]:
        """Run ``fetch(size)`` and keep live passages; ask for more when stale ones crowded the page."""
        size = min(top_k, MAX_WINDOW)
        while True:
            with self._errors("search"):
                documents = fetch(size)
                kept = self._live(documents)
            if len(kept) >= top_k or len(documents) < size or size >= MAX_WINDOW:
                return [(chunk, score(document)) for chunk, document in kept[:top_k]]
            size = min(size * 4, MAX_WINDOW)

    def _live(self, documents: list[Document]) -> list[tuple[ChunkRecord, Document]]:
        """The hits whose generation is their document's live one, in order."""
        live = self._stored_many(document.meta["doc_id"] for document in documents)
        if self._documents is not None:
            # Keep the cached map current for every document a search returns.
            for doc_id in {document.meta["doc_id"] for document in documents}:
                if doc_id in live:
                    self._documents[doc_id] = live[doc_id].record
                else:
                    self._documents.pop(doc_id, None)
        kept = []
        for document in documents:
            stored = live.get(document.meta["doc_id"])
            if stored is not None and stored.generation == document.meta.get("generation"):
                kept.append((chunk_from_fields(document.meta, content=document.content or ""), document))
        return kept

    # -- upkeep ---------------------------------------------------------------------------
    def _counts_by_generation(self, index: str) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {
                "size": 1000,
                "sources": [
                    {"doc_id": {"terms": {"field": "doc_id"}}},
                    {"generation": {"terms": {"field": "generation"}}},
                ],
            }
            if after:
                composite["after"] = after
            found = self.client.search(index=index, body={"size": 0, "aggs": {"pairs": {"composite": composite}}})
            pairs = found["aggregations"]["pairs"]
            for bucket in pairs["buckets"]:
                counts[(bucket["key"]["doc_id"], bucket["key"]["generation"])] = int(bucket["doc_count"])
            after = pairs.get("after_key")
            if not pairs["buckets"] or not after:
                return counts

    def stats(self) -> StoreStats:
        """Counts and sizes (of all four indexes, replicas included)."""
        with self._errors("read"):
            found = self.client.search(
                index=self.names.documents,
                body={
                    "size": 0,
                    "track_total_hits": True,
                    "aggs": {
                        "chunks": {"sum": {"field": "chunks"}},
                        "by_type": {"terms": {"field": "doc_type", "size": 100}},
                    },
                },
            )
            sizes = self.client.indices.stats(index=",".join(self.names.all()), metric="store")
            last = self.last_report_time()
        aggregations = found["aggregations"]
        return StoreStats(
            documents=int(found["hits"]["total"]["value"]),
            chunks=int(aggregations["chunks"]["value"] or 0),
            by_type={
                bucket["key"]: int(bucket["doc_count"])
                for bucket in sorted(aggregations["by_type"]["buckets"], key=lambda bucket: bucket["key"])
            },
            size_bytes=int(sizes["_all"]["total"]["store"]["size_in_bytes"]),
            backend=self.backend,
            data_dir=f"{self.settings.opensearch_url} index {self.names.chunks}",
            model=self.model,
            last_indexed=last,
        )

    def record_report(self, started: str, finished: str, report: dict[str, object]) -> None:
        """Keep an ingestion job's report in ``<index>-reports``."""
        with self._errors("write to", self.names.reports):
            self.client.index(
                index=self.names.reports,
                body={"started": started, "finished": finished, "report": report},
                refresh=True,
            )

    def last_report_time(self) -> str | None:
        """When the last ingestion job finished, or None."""
        with self._errors("read", self.names.reports):
            found = self.client.search(
                index=self.names.reports, body={"size": 0, "aggs": {"last": {"max": {"field": "finished"}}}}
            )
        value = found["aggregations"]["last"].get("value_as_string")
        return None if value is None else str(value)

    def integrity_problems(self) -> list[str]:
        """Disagreements between document records and stored passages and pages (empty when consistent)."""
        problems: list[str] = []
        with self._errors("check"):
            health = self.client.cluster.health(index=",".join(self.names.all()))
            if health.get("status") == "red":
                problems.append(
                    f"the indexes of {self.names.chunks!r} are red (a primary shard is unassigned): "
                    "check the cluster's nodes and disks"
                )
            stored = self._all_stored()
            passages = self._counts_by_generation(self.names.chunks)
            pages = self._counts_by_generation(self.names.pages)
        for doc_id, document in sorted(stored.items()):
            have = passages.get((doc_id, document.generation), 0)
            if have != document.record.chunks:
                problems.append(f"document {doc_id} records {document.record.chunks} passages but {have} are stored")
            have_pages = pages.get((doc_id, document.generation), 0)
            if have_pages != document.stored_pages:
                problems.append(f"document {doc_id} records {document.stored_pages} pages but {have_pages} are stored")
        for what, counts in (("passages", passages), ("pages", pages)):
            stale = sum(
                count
                for (doc_id, generation), count in counts.items()
                if doc_id not in stored or stored[doc_id].generation != generation
            )
            if stale:
                problems.append(
                    f"{stale} {what} of replaced or unfinished writes remain (searches skip them): they go when "
                    "their document is next written; OpenSearchStore.purge_stale() removes them all"
                )
        return problems

    def close(self) -> None:
        """Close the connections."""
        self.passages.close()
        self.client.close()
