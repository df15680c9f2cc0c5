"""The one service object that the CLI, the UI and the tests drive for reading the knowledge base."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from haystack import Document, Pipeline

from search.answers.models import Answer
from search.embedding import Embedder
from search.errors import DocumentNotFoundError, QueryError
from search.models import DocumentRecord, SearchFilters, SearchHit, SearchResult, StoreStats
from search.pipelines import MODES, build_retrieval_pipeline, last_component
from search.reranking import HeadReranker
from search.settings import Settings
from search.snippets import make_snippet
from search.store.factory import open_store
from search.store.protocol import ChunkStore

MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class PageView:
    """One page of a document, for showing a cited passage in context."""

    document: DocumentRecord
    page: int
    text: str
    highlight: tuple[int, int] | None = None


class SearchService:
    """Search, browse and describe what is indexed.

    The store opens on first use and the model loads on the first query that needs it, so
    listing documents stays fast.

    Parameters:
        settings: the Settings in force.
        embedder: a loaded Embedder to share (one is made when None).
    """

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._store: ChunkStore | None = None
        self._pipelines: dict[str, Pipeline] = {}

    @property
    def store(self) -> ChunkStore:
        """The store, opened for reading on first use."""
        if self._store is None:
            self._store = open_store(self.settings, writable=False)
        return self._store

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        if self._embedder is None:
            self._embedder = Embedder(self.settings)
        return self._embedder

    def _pipeline(self, mode: str) -> Pipeline:
        if mode not in self._pipelines:
            reranker = None
            if self.settings.reranker:
                reranker = HeadReranker(model=self.settings.reranker, depth=self.settings.rerank_depth)
            self._pipelines[mode] = build_retrieval_pipeline(
                mode, self.store, self.embedder, rrf_k=self.settings.rrf_k, reranker=reranker
            )
        return self._pipelines[mode]

    # -- search ---------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        top_k: int | None = None,
        offset: int = 0,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
    ) -> SearchResult:
        """Find the passages that answer ``query``.

        Parameters:
            query: words as a user would type them.
            top_k: hits to return (default: setting top_k); ``offset`` skips that many first.
            filters: restrict by type, publisher, area, dates, access.
            mode: 'hybrid' (default), 'keyword' or 'semantic'.

        Returns a SearchResult with hits (best first) and facet counts over the candidates.
        Raises QueryError for an empty query or an unknown mode.
        """
        text = " ".join(query.split())
        if not text:
            raise QueryError("the query is empty: type some words to search for")
        top_k = top_k or self.settings.top_k
        candidates = self.retrieve(text, depth=max(self.settings.candidates, offset + top_k), filters=filters, mode=mode)
        text = text[:MAX_QUERY_CHARS]
        documents = self.store.documents_by_id()
        hits = [self._hit(doc, text, documents) for doc in candidates[offset : offset + top_k]]
        return SearchResult(query=text, hits=hits, facets=_facets(candidates, documents))

    def retrieve(
        self, query: str, *, depth: int, filters: SearchFilters | None = None, mode: str = "hybrid"
    ) -> list[Document]:
        """The ranked passages (Haystack Documents) for ``query``: what ``search`` turns into hits.

        ``depth`` is how many candidates each retriever fetches. Raises QueryError for an unknown mode.
        """
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        text = " ".join(query.split())[:MAX_QUERY_CHARS]
        filters = filters or SearchFilters()
        inputs: dict[str, dict[str, object]] = {}
        if mode in ("keyword", "hybrid"):
            inputs["keyword_retriever"] = {"query": text, "filters": filters, "top_k": depth}
        if mode in ("semantic", "hybrid"):
            inputs["query_embedder"] = {"text": text}
            inputs["embedding_retriever"] = {"filters": filters, "top_k": depth}
        reranked = bool(self.settings.reranker)
        if reranked:
            inputs["reranker"] = {"query": text}
        output = self._pipeline(mode).run(inputs)
        return list(output[last_component(mode, reranked=reranked)]["documents"])

    def _hit(self, doc: Document, query: str, documents: dict[str, DocumentRecord]) -> SearchHit:
        meta = doc.meta
        record = documents[meta["doc_id"]]
        snippet, spans = make_snippet(doc.content or "", query)
        return SearchHit(
            doc_id=record.doc_id,
            title=record.title,
            doc_type=record.doc_type,
            publisher=record.publisher,
            published=record.published,
            source=record.source,
            page=meta["page"],
            page_end=meta["page_end"],
            section=meta["section"],
            paragraph=meta["paragraph"],
            score=float(doc.score or 0.0),
            text=doc.content or "",
            snippet=snippet,
            char_start=meta["char_start"],
            char_end=meta["char_end"],
            chunk_id=doc.id,
            access=record.access,
            area=record.area,
            highlights=tuple(spans),
        )

    # -- answers --------------------------------------------------------------------------
    def ask(
        self, question: str, *, as_at: dt.date | None = None, filters: SearchFilters | None = None
    ) -> Answer:
        """Answer a question in a few sentences, each citing document, page and paragraph.

        Parameters:
            question: as a user would ask it.
            as_at: answer from the documents and editions in force on this date (default: latest).
            filters: restrict the documents used.

        Returns an Answer; ``abstained`` is True (with the nearest passages) when the documents
        do not support one. Raises QueryError for an empty or wordless question.
        """
        from search.answers.asking import answer_question

        return answer_question(self, question, as_at=as_at, filters=filters)

    # -- browse ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        """Every indexed document with its metadata, by title."""
        return self.store.list_documents()

    def document(self, doc_id: str) -> DocumentRecord:
        """One document's metadata; raises DocumentNotFoundError with a hint."""
        record = self.store.get_document(doc_id)
        if record is None:
            raise DocumentNotFoundError(f"no document with id {doc_id!r} is indexed: list them with `lessons docs`")
        return record

    def page(self, doc_id: str, page: int, *, highlight: tuple[int, int] | None = None) -> PageView:
        """The text of one page (page 1 for formats without pages)."""
        record = self.document(doc_id)
        text = self.store.page_text(doc_id, page)
        if text is None:
            last = record.pages or 1
            raise DocumentNotFoundError(f"{doc_id} has no page {page}: its pages run from 1 to {last}")
        return PageView(document=record, page=page, text=text, highlight=highlight)

    def stats(self) -> StoreStats:
        """Counts and sizes of the store."""
        return self.store.stats()

    def check(self) -> list[str]:
        """Integrity problems of the store (empty when consistent)."""
        return self.store.integrity_problems()

    def close(self) -> None:
        """Close the store."""
        if self._store is not None:
            self._store.close()
            self._store = None
            self._pipelines.clear()


def _facets(candidates: list[Document], documents: dict[str, DocumentRecord]) -> dict[str, dict[str, int]]:
    """Counts of candidate passages by document type, publisher, area and year."""
    facets: dict[str, dict[str, int]] = {"doc_type": {}, "publisher": {}, "area": {}, "year": {}}
    for doc in candidates:
        record = documents.get(doc.meta["doc_id"])
        if record is None:
            continue
        values = {
            "doc_type": record.doc_type,
            "publisher": record.publisher,
            "area": record.area,
            "year": record.published[:4] if record.published else None,
        }
        for facet, value in values.items():
            if value:
                facets[facet][value] = facets[facet].get(value, 0) + 1
    return facets


def parse_date(value: str, what: str) -> dt.date:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD, or QueryError naming ``what``."""
    text = value.strip()
    try:
        if len(text) == 4:
            return dt.date(int(text), 1, 1)
        if len(text) == 7:
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{what} {value!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY") from None
