"""Vector search from 100k to 1M chunks: exact search beside the IVF index, its recall, build time and size.

Random unit vectors have no neighbourhoods and would say nothing about an approximate index, so
the vectors are grown from real ones: the passage embeddings of the BEIR stores that the quality
part of the benchmark caches (SciFact and ArguAna, 13,857 passages). Queries are real passages
held out of the seeds, so no query is in the index. The same real vectors, indexed as they are,
give a recall figure with no synthetic part at all; with ``query_embeddings`` (real BEIR queries
run through the model) a second one. Run alone with ``python -m ingest.benchmark.ann``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.benchmark.figures import Figure, milliseconds, render_table, timed_calls
from ingest.benchmark.synthetic import CHUNKS_PER_DOCUMENT, DIMENSION, EmbeddingMap
from search.errors import BenchmarkDataError
from search.settings import Settings
from search.store.vector_index import VectorIndex

SETS = ("scifact", "arguana")
SHARED = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the checkout
HELD_OUT = 300
"""Real passages kept out of the seeds to serve as queries."""
NOISE = 0.03
"""Gaussian noise per dimension added to each mixture (calibrated: see :class:`SeededVectors`)."""
_TRUTH_BATCH = 20_000
_EXACT_ALWAYS = 1 << 62
_ANN_ALWAYS = 1


def real_embeddings(stores: Path) -> np.ndarray:
    """The passage embeddings of one cached embedded store per BEIR set under ``stores``, stacked.

    Raises BenchmarkDataError naming the folder and the command that builds the stores.
    """
    found = []
    for name in SETS:
        for folder in sorted(stores.glob(f"{name}-*")):
            index = VectorIndex(folder / "vectors", DIMENSION)
            if index.load() and len(index):
                found.append(index.embeddings())
                break
    if not found:
        raise BenchmarkDataError(
            f"no embedded BEIR store (scifact-*, arguana-*) under {stores}: run `python -m ingest.benchmark` "
            "once (its retrieval-quality part builds them), or give their folder with --stores"
        )
    return np.concatenate(found).astype(np.float32)


class SeededVectors:
    """Realistic embeddings grown from real ones.

    A document picks a real vector; each of its chunks mixes one of that vector's nearest real
    neighbours with two of that one's own nearest neighbours (random weights), adds Gaussian
    noise and is scaled back to length 1. The chunks so fill the space between related real
    passages. Calibrated on the real vectors: grown to their own size (233 lists), the mixtures
    give an IVF index the same recall@10 at 8, 16 and 32 probes as the real vectors (0.95, 0.98,
    1.00 against 0.95, 0.98, 0.99), while held-out passages find their nearest and tenth-nearest
    neighbours a little farther away (median cosine 0.61 and 0.51 against 0.75 and 0.59).

    Parameters:
        seeds: real embeddings, one per row.
        neighbours: how many nearest seeds a mixture may draw from.
        noise: standard deviation of the noise per dimension.
    """

    def __init__(self, seeds: np.ndarray, *, neighbours: int = 30, noise: float = NOISE) -> None:
        norms = np.linalg.norm(seeds, axis=1, keepdims=True)
        self.seeds = (seeds / np.where(norms == 0, 1, norms)).astype(np.float32)
        self.noise = noise
        self.neighbours = _nearest(self.seeds, min(neighbours, len(seeds) - 1))

    def document(self, number: int, *, seed: int = 0, count: int = CHUNKS_PER_DOCUMENT) -> np.ndarray:
        """The ``count`` chunk embeddings of document ``number`` (a pure function of seed and number)."""
        rng = np.random.default_rng([seed, number])
        topic = int(rng.integers(len(self.seeds)))
        width = self.neighbours.shape[1]
        primary = self.neighbours[topic, rng.integers(width, size=count)]
        first = self.neighbours[primary, rng.integers(width, size=count)]
        second = self.neighbours[primary, rng.integers(width, size=count)]
        weights = rng.dirichlet((1.0, 1.0, 1.0), size=count).astype(np.float32)
        mixed = (
            weights[:, :1] * self.seeds[primary]
            + weights[:, 1:2] * self.seeds[first]
            + weights[:, 2:] * self.seeds[second]
            + rng.standard_normal((count, self.seeds.shape[1]), dtype=np.float32) * np.float32(self.noise)
        )
        return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)


def _nearest(matrix: np.ndarray, count: int) -> np.ndarray:
    """Each row's ``count`` nearest other rows by dot product."""
    found = np.empty((len(matrix), count), dtype=np.int64)
    for start in range(0, len(matrix), 2048):
        scores = matrix[start : start + 2048] @ matrix.T
        scores[np.arange(len(scores)), np.arange(start, start + len(scores))] = -np.inf
        found[start : start + len(scores)] = np.argpartition(-scores, count, axis=1)[:, :count]
    return found


class _RunningTop:
    """The exact top-k keys of many queries, kept while rows stream past."""

    def __init__(self, queries: np.ndarray, top_k: int) -> None:
        self.queries = queries
        self.top_k = top_k
        self.scores = np.full((len(queries), top_k), -np.inf, dtype=np.float32)
        self.keys = np.full((len(queries), top_k), -1, dtype=np.int64)

    def update(self, matrix: np.ndarray, keys: np.ndarray) -> None:
        if len(keys) == 0:
            return
        scores = np.concatenate([self.scores, self.queries @ matrix.T], axis=1)
        every = np.concatenate([self.keys, np.broadcast_to(keys, (len(self.queries), len(keys)))], axis=1)
        best = np.argpartition(-scores, self.top_k - 1, axis=1)[:, : self.top_k]
        self.scores = np.take_along_axis(scores, best, axis=1)
        self.keys = np.take_along_axis(every, best, axis=1)

    def sets(self) -> list[set[int]]:
        return [set(row.tolist()) for row in self.keys]


@dataclass(frozen=True)
class _Built:
    exact: VectorIndex
    ann: VectorIndex
    build_seconds: float
    truth: list[set[int]]
    filtered_truth: list[set[int]]
    filtered_ids: set[str]


def _doc_id(number: int) -> str:
    return f"doc{number:07d}"


def _build(documents: Iterator[np.ndarray], count: int, folder: Path, queries: np.ndarray, probes: int) -> _Built:
    """Index ``count`` documents, keep the exact top 10 of every query (all, and a third of documents)."""
    shutil.rmtree(folder, ignore_errors=True)
    writer = VectorIndex(folder, DIMENSION, ann_min_rows=_ANN_ALWAYS, ann_probes=probes)
    truth, filtered = _RunningTop(queries, 10), _RunningTop(queries, 10)
    pending: list[np.ndarray] = []
    pending_keys: list[np.ndarray] = []
    pending_rows = 0
    for number in range(count):
        matrix = next(documents)
        keys = np.arange(number * CHUNKS_PER_DOCUMENT, number * CHUNKS_PER_DOCUMENT + len(matrix), dtype=np.int64)
        writer.add(_doc_id(number), keys, matrix)
        pending.append(matrix)
        pending_keys.append(keys)
        pending_rows += len(keys)
        if pending_rows >= _TRUTH_BATCH or number == count - 1:
            block, block_keys = np.concatenate(pending), np.concatenate(pending_keys)
            truth.update(block, block_keys)
            chosen = (block_keys // CHUNKS_PER_DOCUMENT) % 3 == 0
            filtered.update(block[chosen], block_keys[chosen])
            pending, pending_keys, pending_rows = [], [], 0
    started = time.perf_counter()
    writer.save(0)
    build_seconds = time.perf_counter() - started
    del writer
    exact = VectorIndex(folder, DIMENSION, ann_min_rows=_EXACT_ALWAYS)
    ann = VectorIndex(folder, DIMENSION, ann_min_rows=_ANN_ALWAYS, ann_probes=probes)
    if not (exact.load() and ann.load() and ann.uses_ann):
        raise BenchmarkDataError(
            f"the IVF index saved in {folder} could not be read back: check the folder is writable"
        )
    filtered_ids = {_doc_id(number) for number in range(0, count, 3)}
    return _Built(exact, ann, build_seconds, truth.sets(), filtered.sets(), filtered_ids)


def _recall(
    index: VectorIndex, queries: np.ndarray, truth: list[set[int]], allowed: set[str] | None = None
) -> np.ndarray:
    """Recall@10 of each query against the exact top 10."""
    return np.array(
        [
            len({key for key, _ in index.search(query, 10, allowed)} & expected) / max(len(expected), 1)
            for query, expected in zip(queries, truth, strict=True)
        ]
    )


def _bytes(folder: Path, names: Sequence[str]) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.name in names)


def _size_figures(label: str, built: _Built, queries: np.ndarray, timed: int, probes: int) -> list[Figure]:
    """Latency beside exact search, recall (all documents and a third of them), build time, size."""
    few = list(queries[:timed])
    for index in (built.exact, built.ann):
        index.search(few[0], 10)  # first touch of the mapped file
    exact_seconds = timed_calls(lambda q: built.exact.search(q, 10), few)
    ann_seconds = timed_calls(lambda q: built.ann.search(q, 10), few)
    recall = _recall(built.ann, queries, built.truth)
    filtered = _recall(built.ann, queries, built.filtered_truth, built.filtered_ids)
    how = f"IVF, {built.ann.lists:,} lists, {probes} probes, beside exact search of the same rows; {len(few)} queries"
    figures = [
        Figure(
            f"ANN vector search p{p} @{label}",
            "ms",
            milliseconds(ann_seconds, p),
            milliseconds(exact_seconds, p),
            note=how,
        )
        for p in (50, 95)
    ]
    folder = built.ann.folder
    arrays = _bytes(folder, ("vectors.npy", "keys.npy", "codes.npy"))
    extra = _bytes(folder, ("centroids.npy", "offsets.npy"))
    figures += [
        Figure(
            f"ANN recall@10 @{label}",
            "fraction",
            float(recall.mean()),
            1.0,
            note=f"against exact search (baseline); {len(queries)} held-out real passages; "
            f"worst query {recall.min():.1f}, queries below 0.9: {int((recall < 0.9).sum())}",
        ),
        Figure(
            f"ANN recall@10, filtered to a third of documents @{label}",
            "fraction",
            float(filtered.mean()),
            1.0,
            note="against exact search of the allowed documents only",
        ),
        Figure(
            f"ANN build @{label}",
            "s",
            built.build_seconds,
            note="save: k-means on a sample, assign every row, group by list, write and sync",
        ),
        Figure(
            f"ANN index size @{label}",
            "MB",
            (arrays + extra) / 1e6,
            arrays / 1e6,
            note="vectors, keys, codes, centroids, list offsets; baseline: the exact index's arrays",
        ),
    ]
    return figures


def _real_figures(
    real: np.ndarray, held: np.ndarray, folder: Path, probes: int, query_embeddings: np.ndarray | None
) -> list[Figure]:
    """Recall on the real vectors as they are, the approximate index forced at their small size."""
    count = -(-len(real) // CHUNKS_PER_DOCUMENT)
    chunks = iter(np.array_split(real, count))
    asked = held if query_embeddings is None else np.concatenate([held, query_embeddings])
    built = _build(chunks, count, folder, asked, probes)
    figures = [
        Figure(
            f"ANN recall@10, real BEIR passages ({len(real):,})",
            "fraction",
            float(_recall(built.ann, held, built.truth[: len(held)]).mean()),
            1.0,
            note=f"{built.ann.lists} lists, {probes} probes; {len(held)} held-out real passages as queries",
        )
    ]
    if query_embeddings is not None:
        figures.append(
            Figure(
                f"ANN recall@10, real BEIR queries ({len(real):,} passages)",
                "fraction",
                float(_recall(built.ann, query_embeddings, built.truth[len(held) :]).mean()),
                1.0,
                note=f"{len(query_embeddings)} SciFact and ArguAna queries embedded by the model",
            )
        )
    shutil.rmtree(folder, ignore_errors=True)
    return figures


def measure_ann(
    stores: Path,
    folder: Path,
    *,
    sizes: Sequence[int] = (100_000, 300_000, 1_000_000),
    probes: int = Settings.ann_probes,
    timed: int = 100,
    map_size: int = 300_000,
    query_embeddings: np.ndarray | None = None,
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """Figures of the approximate vector index at each size in ``sizes`` (chunks), beside exact search.

    Parameters:
        stores: folder of the cached BEIR stores (``bench-results/beir-stores``).
        folder: scratch folder for the indexes (removed afterwards).
        sizes: chunk counts to build.
        probes: lists each search reads.
        timed: queries timed per size (recall uses every held-out query).
        map_size: chunks of the latency benchmark's synthetic vectors to check recall on (0 skips).
        query_embeddings: real queries run through the model, for one more real-data recall figure.
        log: progress lines.
    """
    real = real_embeddings(stores)
    order = np.random.default_rng(0).permutation(len(real))
    kept = min(HELD_OUT, len(real) // 4)
    held, seeds = real[order[:kept]], real[order[kept:]]
    log(f"ann: {len(seeds):,} real passage embeddings as seeds, {len(held)} held out as queries")
    figures = _real_figures(seeds, held, folder / "ann-real", probes, query_embeddings)
    grower = SeededVectors(seeds)
    for size in sorted(sizes):
        count = -(-size // CHUNKS_PER_DOCUMENT)
        log(f"ann: building {count * CHUNKS_PER_DOCUMENT:,} realistic vectors and their index")
        documents = (grower.document(number) for number in range(count))
        built = _build(documents, count, folder / "ann-index", held, probes)
        log(f"ann: timing exact and approximate search at {size:,}")
        figures += _size_figures(f"{size:,}", built, held, timed, probes)
        del built
    if map_size:
        count = -(-map_size // CHUNKS_PER_DOCUMENT)
        log(f"ann: recall on {count * CHUNKS_PER_DOCUMENT:,} vectors of the latency benchmark's embedding map")
        embedding_map = EmbeddingMap(7)
        documents = (
            embedding_map.document_vectors(np.random.default_rng([7, 1, n]), CHUNKS_PER_DOCUMENT) for n in range(count)
        )
        queries = embedding_map.query_vectors(np.random.default_rng([7, 2]), HELD_OUT)
        built = _build(documents, count, folder / "ann-index", queries, probes)
        figures.append(
            Figure(
                f"ANN recall@10, latency-benchmark vectors @{map_size:,}",
                "fraction",
                float(_recall(built.ann, queries, built.truth).mean()),
                1.0,
                note="synthetic.EmbeddingMap (calibrated a little harder than real data)",
            )
        )
    shutil.rmtree(folder / "ann-index", ignore_errors=True)
    return figures


def real_query_embeddings(beir_root: Path, count: int) -> np.ndarray:
    """The first ``count`` judged queries of SciFact and ArguAna (half each), embedded by the configured model."""
    # Imported here: the model's libraries take seconds to load and only this option needs them.
    from search.embedding import Embedder
    from search.evaluation.beir import load_beir
    from search.settings import load_settings

    texts = []
    for name in SETS:
        texts += list(load_beir(beir_root / name).queries.values())[: -(-count // len(SETS))]
    embedder = Embedder(load_settings())
    embedder.warm_up()
    return np.asarray([embedder.embed_query(text) for text in texts], dtype=np.float32)


def _sizes(text: str) -> list[int]:
    try:
        return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of chunk counts") from None


def main(argv: list[str] | None = None) -> None:
    """``python -m ingest.benchmark.ann``: the approximate-index figures alone, as a table."""
    parser = argparse.ArgumentParser(prog="python -m ingest.benchmark.ann", description=__doc__)
    parser.add_argument(
        "--stores", type=Path, default=Path("bench-results/beir-stores"), help="Folder of the cached BEIR stores."
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="Scratch folder.")
    parser.add_argument("--sizes", type=_sizes, default=[100_000, 300_000, 1_000_000], help="Chunk counts.")
    parser.add_argument("--probes", type=int, default=Settings.ann_probes, help="Lists each search reads.")
    parser.add_argument("--timed", type=int, default=100, help="Queries timed per size.")
    parser.add_argument(
        "--real-queries",
        type=int,
        default=0,
        help="Also embed this many real SciFact and ArguAna queries (half each) with the model for one more recall figure.",
    )
    parser.add_argument(
        "--beir-root",
        type=Path,
        default=SHARED / "benchmarks",
        help="Folder holding the BEIR sets (for --real-queries).",
    )
    parser.add_argument(
        "--map-size",
        type=int,
        default=300_000,
        help="Chunks of the latency benchmark's vectors to check recall on (0 skips).",
    )
    options = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        queries = real_query_embeddings(options.beir_root, options.real_queries) if options.real_queries else None
        figures = measure_ann(
            options.stores,
            options.out,
            sizes=options.sizes,
            probes=options.probes,
            timed=options.timed,
            map_size=options.map_size,
            query_embeddings=queries,
            log=log,
        )
    except BenchmarkDataError as exc:
        print(f"benchmark: {exc}", file=sys.stderr)
        sys.exit(2)
    print(render_table(figures))


if __name__ == "__main__":
    main()
