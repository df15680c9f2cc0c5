"""Retrieval quality on BEIR sets, ours beside the baseline on the same embeddings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ingest.benchmark.baseline import BaselineSearch, baseline_documents, filled_store
from ingest.benchmark.figures import Figure
from search.embedding import Embedder
from search.evaluation.beir import BeirSet, ServiceRanker, build_store, load_beir, rank_queries, subset
from search.evaluation.metrics import score_rankings
from search.pipelines import MODES
from search.service import SearchService, query_text
from search.settings import Settings, load_settings
from search.store.embedded import EmbeddedStore


def _stored_embeddings(beir: BeirSet, settings: Settings, dimension: int) -> np.ndarray:
    """The embeddings a reused evaluation store holds, in corpus order."""
    store = EmbeddedStore(settings.data_dir, model=settings.model, dimension=dimension)
    try:
        by_doc: dict[str, np.ndarray] = {}
        for _, matrix, doc_ids in store.records.all_embeddings():  # type: ignore[attr-defined]
            by_doc.update(zip(doc_ids, matrix, strict=True))
    finally:
        store.close()
    return np.stack([by_doc[doc_id] for doc_id in beir.corpus])


def _evaluation_store(beir: BeirSet, settings: Settings, embedder: Embedder, cache: Path
                      ) -> tuple[Settings, np.ndarray]:
    """The settings of the (reused or new) evaluation store of ``beir`` for this embedder's runtime, and
    its passage embeddings in corpus order."""
    folder = cache / f"{beir.name}-{len(beir.corpus)}-{embedder.runtime}"
    where = load_settings({"data_dir": folder}, config_file=settings.config_file)
    _, embeddings = build_store(beir, where, embedder)
    if embeddings is None:
        embeddings = _stored_embeddings(beir, where, embedder.dimension)
    return where, embeddings


def quantisation_figures(
    folder: Path, settings: Settings, embedders: dict[str, Embedder], ours: str, cache: Path, *,
    baseline: str = "torch", max_docs: int | None = None, log: Callable[[str], None] = print,
) -> list[Figure]:
    """Semantic nDCG@10 on one BEIR set with our runtime's embeddings beside the float32 PyTorch ones.

    Exact search over every embedding (no index), on all the set's queries, so only the
    embeddings differ. The evaluation stores of both runtimes are kept in ``cache`` and reused.
    """
    beir = subset(load_beir(folder), max_docs=max_docs)
    scores = {}
    for runtime in (ours, baseline):
        log(f"quantisation: {beir.name} with {runtime}")
        _, corpus = _evaluation_store(beir, settings, embedders[runtime], cache)
        queries = embedders[runtime].embed_array(list(beir.queries.values()))
        scores[runtime] = _semantic_ndcg(beir, corpus, queries)
    drop = scores[baseline] - scores[ours]
    return [Figure(
        f"{beir.name} semantic nDCG@10, {ours} vs float32", "score", scores[ours], scores[baseline],
        note=f"{len(beir.corpus):,} docs, {len(beir.queries):,} queries, exact search; "
             f"drop {drop:+.4f} (target: at most 0.005)",
    )]


def _semantic_ndcg(beir: BeirSet, corpus: np.ndarray, queries: np.ndarray) -> float:
    ids = list(beir.corpus)
    rankings = {}
    for query_id, vector in zip(beir.queries, queries, strict=True):
        best = np.argsort(-(corpus @ vector))[:101]
        rankings[query_id] = [ids[i] for i in best if ids[i] != query_id][:100]
    return score_rankings(rankings, beir.qrels).ndcg_at_10


def _baseline_rankings(beir: BeirSet, embeddings: np.ndarray, embedder: Embedder, settings: Settings
                       ) -> dict[str, dict[str, list[str]]]:
    """query id -> ranked doc ids for each mode, from the InMemoryDocumentStore."""
    ids = list(beir.corpus)
    store = filled_store(baseline_documents(ids, [doc.passage for doc in beir.corpus.values()], embeddings))
    search = BaselineSearch(store, rrf_k=settings.rrf_k, candidates=settings.candidates)
    rankings: dict[str, dict[str, list[str]]] = {mode: {} for mode in MODES}
    for query_id, raw in beir.queries.items():
        text = query_text(raw)
        keyword = search.keyword(text, 100)
        vector = search.vector(embedder.embed_query(text), 100)
        found = {"keyword": keyword, "semantic": vector, "hybrid": search.fuse(keyword, vector, 100)}
        for mode, documents in found.items():
            rankings[mode][query_id] = [d.meta["doc_id"] for d in documents if d.meta["doc_id"] != query_id]
    return rankings


def measure_quality(
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    cache: Path,
    *,
    max_queries: int | None = None,
    max_docs: int | None = None,
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """nDCG@10 and Recall@100 per mode on one BEIR folder, ours and the baseline's.

    The evaluation store is kept in ``cache`` and reused by the next run on the same corpus;
    the baseline gets the very same passage embeddings, so only retrieval differs.
    """
    beir = subset(load_beir(folder), max_docs=max_docs, max_queries=max_queries)
    log(f"quality: {beir.name}, {len(beir.corpus):,} documents, {len(beir.queries):,} queries")
    where, embeddings = _evaluation_store(beir, settings, embedder, cache)
    service = SearchService(where, embedder=embedder)
    try:
        ranker = ServiceRanker(service, top_k=100)
        ours = {mode: score_rankings(rank_queries(beir, ranker, mode), beir.qrels) for mode in MODES}
    finally:
        service.close()
    baseline = {mode: score_rankings(ranked, beir.qrels)
                for mode, ranked in _baseline_rankings(beir, embeddings, embedder, settings).items()}
    note = f"{len(beir.corpus):,} docs, {ours['hybrid'].queries} queries; same embeddings for both"
    figures = []
    for mode in MODES:
        figures.append(Figure(f"{beir.name} {mode} nDCG@10", "score", ours[mode].ndcg_at_10,
                              baseline[mode].ndcg_at_10, note=note))
        figures.append(Figure(f"{beir.name} {mode} Recall@100", "score", ours[mode].recall_at_100,
                              baseline[mode].recall_at_100, note=note))
    return figures
