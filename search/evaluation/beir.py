"""Retrieval quality on a BEIR-format test set: load it, index it, search it, score it.

A BEIR folder holds ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
``text``) - either may be gzipped - and ``qrels/<split>.tsv`` (query-id, corpus-id, score, after
a header line). Each corpus document becomes one stored document with one passage (title and
text); the store truncates nothing, the model reads its first 256 tokens.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

from search.embedding import Embedder
from search.errors import BenchmarkDataError
from search.evaluation.metrics import RankingScores, score_rankings, unique_in_order
from search.models import ChunkRecord, DocumentRecord
from search.pipelines import MODES
from search.service import SearchService
from search.settings import Settings
from search.store.embedded import EmbeddedStore

EMBED_BATCH = 512
"""Passages handed to the model per call (it sorts each call by length, so bigger is faster)."""
_FINGERPRINT_KEY = "beir_corpus"

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long step runs."""


@dataclass(frozen=True)
class BeirDocument:
    """One corpus entry."""

    doc_id: str
    title: str
    text: str

    @property
    def passage(self) -> str:
        """What is indexed and embedded: the title, then the text."""
        return f"{self.title}\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class BeirSet:
    """A loaded test set: corpus in file order, the judged queries and their graded judgements."""

    name: str
    split: str
    corpus: dict[str, BeirDocument]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class ModeScores:
    """The quality of one retrieval mode over a test set, and the time its searches took."""

    mode: str
    scores: RankingScores
    seconds: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values."""
        return {"mode": self.mode, **self.scores.as_dict(), "seconds": round(self.seconds, 2)}


@dataclass(frozen=True)
class BeirReport:
    """What ``evaluate_beir`` measured: one ModeScores per mode, plus the indexing cost."""

    name: str
    split: str
    documents: int
    queries: int
    index_seconds: float
    reused_index: bool
    modes: list[ModeScores] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The report as the JSON of ``lessons eval --json``."""
        return {
            "dataset": self.name, "split": self.split, "documents": self.documents, "queries": self.queries,
            "index_seconds": round(self.index_seconds, 2), "reused_index": self.reused_index,
            "modes": [mode.as_dict() for mode in self.modes],
        }


# -- loading ------------------------------------------------------------------------------
def _open_text(folder: Path, stem: str) -> tuple[Path, IO[str]]:
    for name in (f"{stem}.jsonl", f"{stem}.jsonl.gz"):
        path = folder / name
        if path.is_file():
            if name.endswith(".gz"):
                return path, gzip.open(path, "rt", encoding="utf-8")
            return path, path.open(encoding="utf-8")
    raise BenchmarkDataError(
        f"BEIR folder {folder} has no {stem}.jsonl or {stem}.jsonl.gz: download the complete set "
        "(corpus, queries and qrels) into that folder"
    )


def _json_lines(folder: Path, stem: str, required: Sequence[str]) -> Iterator[dict[str, str]]:
    path, handle = _open_text(folder, stem)
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BenchmarkDataError(
                        f"{path} line {number} is not valid JSON ({exc.msg}): fix or delete that line"
                    ) from None
                if not isinstance(row, dict) or any(not isinstance(row.get(key), str) for key in required):
                    raise BenchmarkDataError(
                        f"{path} line {number} lacks the string field(s) {', '.join(required)}: "
                        "each line must be a JSON object like {\"_id\": \"1\", \"text\": \"...\"}"
                    )
                yield row
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise BenchmarkDataError(f"cannot read {path} ({exc}): download it again") from None


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    if not path.is_file():
        split = path.stem
        raise BenchmarkDataError(
            f"BEIR folder {path.parent.parent} has no qrels/{split}.tsv: download the qrels of split "
            f"{split!r}, or choose a split that exists with --split"
        )
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            columns = line.rstrip("\n").split("\t")
            if not line.strip() or (number == 1 and columns[0] in ("query-id", "query_id", "qid")):
                continue
            try:
                if len(columns) != 3:
                    raise ValueError
                query_id, doc_id, grade = columns[0], columns[1], int(float(columns[2]))
            except ValueError:
                raise BenchmarkDataError(
                    f"{path} line {number} is not 'query-id<TAB>corpus-id<TAB>score' with a numeric score: "
                    "fix or delete that line"
                ) from None
            qrels.setdefault(query_id, {})[doc_id] = grade
    return qrels


def load_beir(folder: Path, split: str = "test") -> BeirSet:
    """Read a BEIR folder; keeps only the queries judged in ``split`` with a relevant document.

    Raises BenchmarkDataError naming the missing or malformed file (and line) and the fix.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BenchmarkDataError(
            f"BEIR folder {folder} does not exist: give a folder holding corpus.jsonl(.gz), "
            "queries.jsonl(.gz) and qrels/<split>.tsv"
        )
    qrels = _read_qrels(folder / "qrels" / f"{split}.tsv")
    corpus: dict[str, BeirDocument] = {}
    for row in _json_lines(folder, "corpus", ("_id",)):
        title, text = row.get("title") or "", row.get("text") or ""
        corpus[row["_id"]] = BeirDocument(row["_id"], str(title).strip(), str(text).strip())
    if not corpus:
        raise BenchmarkDataError(f"the corpus of BEIR folder {folder} is empty: download it again")
    judged = {query_id for query_id, judgements in qrels.items() if any(g > 0 for g in judgements.values())}
    queries = {
        row["_id"]: row["text"]
        for row in _json_lines(folder, "queries", ("_id", "text"))
        if row["_id"] in judged and row["text"].strip()
    }
    if not queries:
        raise BenchmarkDataError(
            f"no query of {folder} has a relevant document in qrels/{split}.tsv: check the split and that "
            "the query ids of queries.jsonl match the qrels"
        )
    return BeirSet(folder.name, split, corpus, queries, {q: qrels[q] for q in queries})


def subset(beir: BeirSet, *, max_docs: int | None = None, max_queries: int | None = None, seed: int = 0) -> BeirSet:
    """A smaller set for a quicker run, the same for the same arguments.

    ``max_queries`` draws that many queries at random (kept in file order). ``max_docs`` keeps
    every document judged for a kept query, then fills up to ``max_docs`` with random others
    (so there may be more documents than asked when the judged ones alone exceed it).
    """
    chooser = random.Random(seed)
    queries = beir.queries
    if max_queries is not None and max_queries < len(queries):
        chosen = set(chooser.sample(sorted(queries), max_queries))
        queries = {q: text for q, text in queries.items() if q in chosen}
    corpus = beir.corpus
    if max_docs is not None and max_docs < len(corpus):
        judged = {d for q in queries for d in beir.qrels[q] if d in corpus}
        others = sorted(set(corpus) - judged)
        keep = judged | set(chooser.sample(others, max(0, min(len(others), max_docs - len(judged)))))
        corpus = {d: doc for d, doc in corpus.items() if d in keep}
    return BeirSet(beir.name, beir.split, corpus, queries, {q: beir.qrels[q] for q in queries})


# -- indexing -----------------------------------------------------------------------------
def embed_corpus(beir: BeirSet, embedder: Embedder, progress: Progress | None = None) -> np.ndarray:
    """The embeddings of every corpus passage, in corpus order (float32, one row per document)."""
    texts = [doc.passage for doc in beir.corpus.values()]
    rows: list[np.ndarray] = []
    for start in range(0, len(texts), EMBED_BATCH):
        rows.append(np.asarray(embedder.embed_passages(texts[start : start + EMBED_BATCH]), dtype=np.float32))
        if progress:
            progress("embedding", min(start + EMBED_BATCH, len(texts)), len(texts))
    return np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def corpus_fingerprint(beir: BeirSet, model: str) -> str:
    """A hash of the corpus and the model, to recognise a store built from the same documents."""
    digest = hashlib.sha256(model.encode())
    for doc in beir.corpus.values():
        digest.update(f"\x00{doc.doc_id}\x00{doc.passage}".encode())
    return digest.hexdigest()


def index_corpus(beir: BeirSet, store: EmbeddedStore, embeddings: np.ndarray) -> None:
    """Write each corpus document, with one passage and its embedding, then flush the indexes."""
    for doc, vector in zip(beir.corpus.values(), embeddings, strict=True):
        passage = doc.passage
        record = DocumentRecord(
            doc_id=doc.doc_id, title=doc.title or doc.doc_id, doc_type="other",
            source=f"beir:{beir.name}/{doc.doc_id}",
            content_hash=hashlib.sha256(passage.encode()).hexdigest(), chunks=1,
        )
        chunk = ChunkRecord(doc_id=doc.doc_id, ordinal=0, text=passage, char_end=len(passage),
                            embedding=vector)  # type: ignore[arg-type]  # an array is stored as well as a list
        store.upsert_document(record, [chunk], [])
    store.flush()


def build_store(
    beir: BeirSet, settings: Settings, embedder: Embedder, progress: Progress | None = None
) -> tuple[bool, np.ndarray | None]:
    """Index ``beir`` into the store of ``settings.data_dir`` unless it already holds exactly that corpus.

    Returns (reused, embeddings): embeddings are None when an existing index was reused.
    Raises BenchmarkDataError when the folder holds another store (it is never overwritten).
    """
    fingerprint = corpus_fingerprint(beir, settings.model)
    store = EmbeddedStore(settings.data_dir, model=settings.model, dimension=embedder.dimension, writable=True)
    try:
        documents, _ = store.records.counts()
        if documents:
            if store.records.get_meta(_FINGERPRINT_KEY) == fingerprint:
                return True, None
            raise BenchmarkDataError(
                f"{settings.data_dir} already holds a store of other documents (or an evaluation that "
                "stopped before the end): give an empty folder, or none for a temporary one"
            )
        embeddings = embed_corpus(beir, embedder, progress)
        index_corpus(beir, store, embeddings)
        store.records.set_meta(_FINGERPRINT_KEY, fingerprint)
        return False, embeddings
    finally:
        store.close()


# -- searching and scoring ----------------------------------------------------------------
def rank_queries(
    beir: BeirSet, search: Callable[[str, str], Sequence[str]], mode: str, progress: Progress | None = None
) -> dict[str, list[str]]:
    """Each query's ranked document ids; ``search(text, mode)`` returns doc ids, best first.

    A document whose id is the query's own id is dropped (the BEIR convention: in ArguAna the
    query argument is itself in the corpus).
    """
    rankings: dict[str, list[str]] = {}
    for number, (query_id, text) in enumerate(beir.queries.items(), start=1):
        rankings[query_id] = [d for d in unique_in_order(search(text, mode)) if d != query_id]
        if progress and (number % 50 == 0 or number == len(beir.queries)):
            progress(f"searching ({mode})", number, len(beir.queries))
    return rankings


def evaluate_beir(
    beir: BeirSet,
    settings: Settings,
    *,
    modes: Sequence[str] = MODES,
    embedder: Embedder | None = None,
    top_k: int = 100,
    progress: Progress | None = None,
) -> BeirReport:
    """Index ``beir`` into the store of ``settings.data_dir`` and score each retrieval mode on it.

    Parameters:
        beir: the test set (see ``load_beir`` and ``subset``).
        settings: Settings whose ``data_dir`` is an empty folder, or one built earlier from this corpus.
        modes: retrieval modes to score ('hybrid', 'keyword', 'semantic').
        embedder: a loaded Embedder to share (one is made when None).
        top_k: hits fetched per query (Recall@100 needs 100).
        progress: called while embedding and searching.

    Returns a BeirReport with nDCG@10 and Recall@100 per mode.
    """
    embedder = embedder or Embedder(settings)
    started = time.perf_counter()
    reused, _ = build_store(beir, settings, embedder, progress)
    index_seconds = time.perf_counter() - started
    service = SearchService(settings, embedder=embedder)
    results: list[ModeScores] = []
    try:
        ranker = ServiceRanker(service, top_k=top_k)
        for mode in modes:
            started = time.perf_counter()
            rankings = rank_queries(beir, ranker, mode, progress)
            results.append(ModeScores(mode, score_rankings(rankings, beir.qrels), time.perf_counter() - started))
    finally:
        service.close()
    return BeirReport(
        beir.name, beir.split, len(beir.corpus), len(beir.queries), index_seconds, reused, results
    )


class ServiceRanker:
    """Ranks documents for a query exactly as ``SearchService.search`` does, without building hits.

    It calls ``SearchService.retrieve`` (the ranking ``search`` builds its hits from) and keeps only
    the document ids: snippets and facets (two thirds of a search's time with 100 hits) do not
    change the ranking, so scoring skips them.

    Parameters:
        service: the SearchService over the evaluation store.
        top_k: documents ranked per query.
    """

    def __init__(self, service: SearchService, *, top_k: int) -> None:
        self.service = service
        self.top_k = top_k

    def __call__(self, query: str, mode: str) -> list[str]:
        """The doc ids of the first ``top_k`` hits ``service.search(query, mode=mode)`` would return."""
        depth = max(self.service.settings.candidates, self.top_k)
        documents = self.service.retrieve(query, depth=depth, mode=mode)
        return [document.meta["doc_id"] for document in documents[: self.top_k]]
