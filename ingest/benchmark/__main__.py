"""``python -m ingest.benchmark --out DIR``: run the benchmark, print a table, write DIR/bench.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np

from ingest.benchmark.ann import measure_ann
from ingest.benchmark.answers import answer_figures, sample_questions
from ingest.benchmark.embedding import BASELINE_RUNTIME, runtime_embedders, throughput_figures
from ingest.benchmark.figures import Figure, milliseconds, render_table, timed_calls
from ingest.benchmark.ingestion import end_to_end_figures, measure_ingestion
from ingest.benchmark.latency import measure_latency
from ingest.benchmark.quality import measure_quality, quantisation_figures
from ingest.benchmark.reingest import reingest_figures
from ingest.benchmark.robustness import hostile_figures, kill_figures, load_figures
from ingest.benchmark.synthetic import SyntheticCorpus
from ingest.benchmark.targets import render_targets
from search.embedding import Embedder
from search.errors import LessonsError
from search.settings import load_settings

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # ../shared beside the checkout


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of chunk counts") from None
    if not sizes or min(sizes) < 100:
        raise argparse.ArgumentTypeError("give chunk counts of at least 100, e.g. 10000,100000")
    return sizes


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest.benchmark", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="Folder for bench.json.")
    parser.add_argument("--quick", action="store_true", help="10k chunks only and small samples (a smoke test).")
    parser.add_argument("--sizes", type=_sizes, help="Chunk counts for latency (default 10000,100000,300000).")
    parser.add_argument("--skip-beir", action="store_true", help="Skip the retrieval-quality part.")
    parser.add_argument("--skip-answers", action="store_true", help="Skip the answer-latency part.")
    parser.add_argument("--answer-chunks", type=int, default=300_000,
                        help="Synthetic chunks for answer latency (0 skips that store; --quick keeps it).")
    parser.add_argument("--skip-robustness", action="store_true", help="Skip the kill, hostile-file and load runs.")
    parser.add_argument("--kills", type=int, default=20, help="Ingest jobs killed with SIGKILL (robustness).")
    parser.add_argument("--load-clients", type=int, default=8, help="Concurrent clients of the load run.")
    parser.add_argument("--load-seconds", type=float, default=30.0, help="Length of the load run.")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-real", help="Folder of real PDFs.")
    parser.add_argument("--beir-root", type=Path, default=SHARED / "benchmarks",
                        help="Folder holding the BEIR sets scifact/ and arguana/.")
    parser.add_argument("--arguana-queries", type=int, default=300, help="ArguAna queries scored (of 1,406).")
    parser.add_argument("--arguana-docs", type=int, help="ArguAna documents indexed (default: all 8,674).")
    parser.add_argument("--embed-passages", type=int, default=256, help="Passages timed per length and runtime.")
    parser.add_argument("--e2e-files", type=int, default=8, help="Real PDFs (smallest first) ingested end to end.")
    parser.add_argument("--ann-sizes", type=_sizes, default=[100_000, 300_000, 1_000_000],
                        help="Passage counts for the approximate vector index (default 100000,300000,1000000).")
    parser.add_argument("--queries", type=int, default=50, help="Queries timed per mode and size (ours).")
    parser.add_argument("--baseline-queries", type=int, default=10, help="Queries timed for the baseline.")
    return parser.parse_args(argv)


def _machine() -> dict[str, object]:
    return {
        "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
        "haystack": version("haystack-ai"), "tantivy": version("tantivy"), "platform": platform.platform(),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def _part(name: str, log: Callable[[str], None], measure: Callable[[], list[Figure]]) -> list[Figure]:
    """The figures of one part of the run; a part that fails is logged and left out, and the run goes on."""
    try:
        return measure()
    except Exception as exc:  # a benchmark part may fail in many ways; the others still count
        log(f"{name}: FAILED ({type(exc).__name__}: {exc}); its figures are left out")
        return []


def run(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark as the arguments say; returns what it writes to bench.json."""
    options = _arguments(argv)
    started = time.perf_counter()
    machine = _machine()
    options.out.mkdir(parents=True, exist_ok=True)
    settings = load_settings({"data_dir": options.out / "unused-store"})
    embedder = Embedder(settings)
    sizes = options.sizes or ([10_000] if options.quick else [10_000, 100_000, 300_000])

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    log("ingestion: parsing, chunking, embedding and writing real documents")
    figures, real = measure_ingestion(
        options.corpus, settings, embedder, max_files=4 if options.quick else None,
        embed_sample=64 if options.quick else 256,
    )
    ours = embedder.runtime
    embedders = {ours: embedder, **runtime_embedders(settings, [r for r in (BASELINE_RUNTIME,) if r != ours])}
    log(f"embedding: {ours} beside sentence-transformers, and this machine's peak")
    figures += throughput_figures(real.texts(), embedders, ours, count=64 if options.quick else options.embed_passages,
                                  log=log)
    log("ingestion end to end at two passage lengths")
    figures += end_to_end_figures(options.corpus, settings, ours, max_files=2 if options.quick else options.e2e_files,
                                  log=log)
    questions = ["what should a school do when a child goes missing from education",
                 "information sharing without consent", "early help assessment thresholds"] * 7
    embedder.embed_query(questions[0])
    figures.append(Figure("query embedding (model)", "ms",
                          milliseconds(timed_calls(embedder.embed_query, questions), 50),
                          note="p50 of one short question; the baseline would run the same model"))
    synthetic = SyntheticCorpus(real.texts())
    figures += measure_latency(
        synthetic, sizes, options.out, settings,
        queries=20 if options.quick else options.queries,
        baseline_queries=5 if options.quick else options.baseline_queries, embedder=embedder,
        cold_start=not options.quick, log=log,
    )
    if not options.skip_beir:
        cache = options.out / "beir-stores"
        quick = {"max_queries": 30, "max_docs": 500} if options.quick else {}
        log("quality: scifact")
        figures += measure_quality(options.beir_root / "scifact", settings, embedder, cache, log=log, **quick)
        log("quality: arguana")
        figures += measure_quality(
            options.beir_root / "arguana", settings, embedder, cache, log=log,
            **(quick or {"max_queries": options.arguana_queries, "max_docs": options.arguana_docs}),
        )
        for name in ("scifact", "arguana"):
            figures += quantisation_figures(
                options.beir_root / name, settings, embedders, ours, cache, log=log,
                max_docs=quick.get("max_docs") or (options.arguana_docs if name == "arguana" else None),
            )
    log("vector index: approximate beside exact search, 100k to 1M passages")
    figures += _part("vector index", log, lambda: measure_ann(
        options.out / "beir-stores", options.out, log=log, sizes=[10_000] if options.quick else options.ann_sizes,
        timed=20 if options.quick else 100, map_size=0 if options.quick else 300_000))
    log("re-ingest of an unchanged corpus")
    figures += _part("re-ingest", log, lambda: reingest_figures(
        options.out, settings, embedder, documents=50 if options.quick else 1000,
        prefetch_documents=20 if options.quick else 200, log=log))
    answers: list[Figure] = []
    if not options.skip_answers:
        answers = _part("answers", log, lambda: answer_figures(
            sample_questions(), synthetic, options.out, settings, embedder,
            synthetic_chunks=options.answer_chunks, log=log))
    robustness: list[Figure] = []
    if not options.skip_robustness:
        log("robustness: hostile files, concurrent load, kill -9")
        robustness += hostile_figures(settings, embedder, log=log)
        robustness += load_figures(settings, embedder, clients=options.load_clients,
                                   seconds=5 if options.quick else options.load_seconds, log=log)
        robustness += kill_figures(3 if options.quick else options.kills, log=log)
    result: dict[str, object] = {
        "machine": machine,
        "options": {"quick": options.quick, "sizes": sizes, "skip_beir": options.skip_beir,
                    "skip_answers": options.skip_answers, "answer_chunks": options.answer_chunks,
                    "queries": options.queries, "baseline_queries": options.baseline_queries},
        "ratio": "ours / baseline (below 1 is better for ms, s and MB; above 1 for rates and scores)",
        "baseline": "haystack InMemoryDocumentStore + InMemoryBM25Retriever / InMemoryEmbeddingRetriever",
        "runtime_seconds": round(time.perf_counter() - started, 1),
        "figures": {figure.name: figure.as_dict() for figure in figures},
        "answers": {figure.name: figure.as_dict() for figure in answers},
        "robustness": {figure.name: figure.as_dict() for figure in robustness},
    }
    (options.out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render_table(figures + answers + robustness))
    print("\nTargets (issue 8):")
    print(render_targets({figure.name: figure for figure in figures + answers + robustness}))
    print(f"\n{len(figures) + len(answers) + len(robustness)} figures in {result['runtime_seconds']} s; written to {options.out / 'bench.json'}")
    return result


def main() -> None:
    """Entry point: errors of Lessons become one line and exit status 2."""
    try:
        run()
    except (LessonsError, FileNotFoundError) as exc:
        print(f"benchmark: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
