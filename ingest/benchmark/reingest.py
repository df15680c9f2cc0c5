"""Re-ingest of an unchanged corpus: 1,000 small real documents indexed once, then indexed again.

The documents are Markdown, plain text and small PDFs (1-3 pages, made with fpdf2) whose
paragraphs are drawn, with a seed, from the sample corpus's sources, each with a line of its own
so that no two are alike. The figures: the unchanged re-ingest (file times trusted: size and
modification time decide, bytes are hashed only when they differ) beside the hash-everything
path; the re-ingest after touching every file (same bytes, new times); the first ingest; and
parse throughput with and without parsing ahead while the model embeds.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ingest.benchmark.figures import Figure, render_table
from ingest.report import IngestReport
from ingest.service import IngestService
from search.embedding import Embedder
from search.settings import Settings, load_settings

SAMPLE_SOURCES = Path(__file__).resolve().parents[2] / "corpus" / "sources"
_FRONT_MATTER = re.compile(r"\A\+\+\+.*?\+\+\+\s*", re.DOTALL)
_TOPICS = (
    "missing children",
    "harmful sexual behaviour",
    "information sharing",
    "early help",
    "the MASH front door",
    "school safeguarding",
    "private fostering",
    "neglect",
    "domestic abuse",
    "child exploitation",
)


def sample_paragraphs(folder: Path = SAMPLE_SOURCES) -> list[str]:
    """Prose paragraphs of the sample corpus's Markdown sources (no headings, tables or comments)."""
    paragraphs = []
    for path in sorted(folder.glob("*.md")):
        body = _FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
        for block in re.split(r"\n\s*\n", body):
            text = " ".join(block.split())
            if len(text.split()) >= 12 and not text.startswith(("#", "|", "<!--", "-", "*")):
                paragraphs.append(text)
    if len(paragraphs) < 50:
        raise FileNotFoundError(f"too few paragraphs in {folder}: the sample corpus sources are needed")
    return paragraphs


_PLAIN = str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--")


def _latin1(text: str) -> str:
    """Text the PDF core fonts can draw (curly quotes and dashes made plain)."""
    plain = text.translate(_PLAIN).replace("\u2026", "...")
    return plain.encode("latin-1", "replace").decode("latin-1")


def _pdf(title: str, pages: list[list[str]]) -> bytes:
    from fpdf import FPDF  # a benchmark-only dependency (dev extra)

    pdf = FPDF()
    pdf.set_title(_latin1(title))
    for number, paragraphs in enumerate(pages):
        pdf.add_page()
        if number == 0:
            pdf.set_font("helvetica", style="B", size=14)
            pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def write_corpus(folder: Path, count: int = 1000, *, seed: int = 11, pdf_share: float = 0.2) -> list[Path]:
    """Write ``count`` small documents into ``folder``; returns their paths (same seed, same bytes).

    About ``pdf_share`` of them are PDFs of 1-3 pages, the rest split between Markdown and text;
    each holds 2-6 paragraphs of the sample corpus and a reference line of its own.
    """
    paragraphs = sample_paragraphs()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        topic = _TOPICS[number % len(_TOPICS)]
        title = f"Practice review {number + 1:04d}: {topic}"
        body = rng.sample(paragraphs, rng.randint(2, 6))
        body.insert(0, f"Reference LSN-{number + 1:05d}. This review concerns {topic} in area {rng.randint(1, 40)}.")
        kind = rng.random()
        if kind < pdf_share:
            page_count = min(len(body), rng.randint(1, 3))
            pages = [body[page::page_count] for page in range(page_count)]
            path = folder / f"review-{number + 1:04d}.pdf"
            path.write_bytes(_pdf(title, pages))
        elif kind < pdf_share + (1 - pdf_share) / 2:
            path = folder / f"review-{number + 1:04d}.md"
            path.write_text(f"# {title}\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        else:
            path = folder / f"review-{number + 1:04d}.txt"
            path.write_text(f"{title}\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def touch_all(paths: list[Path]) -> None:
    """Give every file a new modification time, keeping its bytes."""
    now = time.time_ns()
    for offset, path in enumerate(paths):
        os.utime(path, ns=(now + offset, now + offset))


def _timed_ingest(service: IngestService, folder: Path) -> tuple[float, IngestReport]:
    started = time.perf_counter()
    report = service.ingest([folder])
    return time.perf_counter() - started, report


def _median_ingest(
    service: IngestService, folder: Path, runs: int, before: Callable[[], None] | None = None
) -> tuple[float, IngestReport]:
    """The median seconds of ``runs`` jobs over ``folder`` (``before`` runs untimed ahead of each), and the last report."""
    seconds = []
    report = IngestReport()
    for _ in range(runs):
        if before is not None:
            before()
        taken, report = _timed_ingest(service, folder)
        seconds.append(taken)
    return statistics.median(seconds), report


def _command_seconds(data_dir: Path, folder: Path, runs: int) -> float:
    """Median wall time of the whole ``lessons ingest`` command (a fresh process: imports included)."""
    repository = Path(__file__).resolve().parents[2]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ui.cli", "--data-dir", str(data_dir), "ingest", str(folder)],
            cwd=repository,
            check=True,
            capture_output=True,
        )
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _outcomes(report: IngestReport) -> str:
    return f"{len(report.unchanged)} unchanged, {len(report.added) + len(report.updated)} written, {len(report.failed)} failed"


def reingest_figures(
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    documents: int = 1000,
    runs: int = 3,
    prefetch_documents: int = 200,
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """Index ``documents`` generated files once, then time re-ingesting them unchanged and touched.

    Figures (seconds are medians of ``runs``): the unchanged re-ingest with file times trusted
    beside the hash-everything path (``trust_file_times = false``); the same as a whole
    ``lessons ingest`` command; the re-ingest after touching every file; the first ingest; and
    ingest throughput of the first ``prefetch_documents`` files with parsing ahead beside one file
    at a time. Works in ``folder`` and removes what it wrote there.
    """
    corpus = folder / "reingest-documents"
    store = folder / "reingest-store"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    try:
        log(f"re-ingest: writing {documents:,} documents")
        paths = write_corpus(corpus, documents)
        trusted = replace(settings, data_dir=store, trust_file_times=True)
        service = IngestService(trusted, embedder=embedder)
        log(f"re-ingest: first ingest of {documents:,} documents")
        first_seconds, first = _timed_ingest(service, corpus)
        service.ingest([corpus])  # stamps for files written moments before the first job read them

        log("re-ingest: unchanged, file times trusted and not")
        unchanged, report = _median_ingest(service, corpus, runs)
        hashed_service = IngestService(replace(trusted, trust_file_times=False), embedder=embedder)
        hashed, hashed_report = _median_ingest(hashed_service, corpus, runs)
        command = _command_seconds(store, corpus, runs)
        log("re-ingest: every file touched, bytes the same")
        touched, touched_report = _median_ingest(service, corpus, runs, before=lambda: touch_all(paths))
        figures = [
            Figure(
                f"re-ingest {documents:,} unchanged documents",
                "s",
                unchanged,
                hashed,
                note=f"{_outcomes(report)}; baseline: every file read and hashed (trust_file_times = false: "
                f"{_outcomes(hashed_report)}); median of {runs}, in process",
            ),
            Figure(
                f"re-ingest {documents:,} unchanged documents, whole command",
                "s",
                command,
                note=f"`lessons ingest` as a fresh process (imports included); median of {runs}",
            ),
            Figure(
                f"re-ingest {documents:,} touched documents",
                "s",
                touched,
                hashed,
                note=f"new modification times, same bytes: {_outcomes(touched_report)}; "
                f"baseline as above; median of {runs}",
            ),
            Figure(
                f"first ingest of {documents:,} small documents",
                "documents/s",
                documents / first_seconds,
                note=f"{first.chunks:,} passages, {first.pages:,} PDF pages, {_outcomes(first)}; "
                f"parse, chunk, embed, write, register",
            ),
        ]
        figures.append(_prefetch_figure(paths[:prefetch_documents], folder, settings, embedder, log))
        return figures
    finally:
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)


def _prefetch_figure(
    paths: list[Path], folder: Path, settings: Settings, embedder: Embedder, log: Callable[[str], None]
) -> Figure:
    """Documents per second of a first ingest of ``paths`` with parsing ahead (ours) and without."""
    subset = folder / "prefetch-documents"
    shutil.rmtree(subset, ignore_errors=True)
    subset.mkdir(parents=True)
    for path in paths:
        shutil.copy2(path, subset / path.name)
    rates = {}
    try:
        for ahead in (settings.ingest_prefetch or 2, 0):
            store = folder / f"prefetch-store-{ahead}"
            shutil.rmtree(store, ignore_errors=True)
            log(f"re-ingest: first ingest of {len(paths)} documents, parsing {ahead} ahead")
            seconds, report = _timed_ingest(
                IngestService(replace(settings, data_dir=store, ingest_prefetch=ahead), embedder=embedder), subset
            )
            rates[ahead] = (len(paths) / seconds, report.chunks)
            shutil.rmtree(store, ignore_errors=True)
    finally:
        shutil.rmtree(subset, ignore_errors=True)
    (ours, chunks), (baseline, _) = rates[settings.ingest_prefetch or 2], rates[0]
    return Figure(
        f"ingest {len(paths)} small documents, parsing ahead",
        "documents/s",
        ours,
        baseline,
        note=f"{chunks} passages; ours parses {settings.ingest_prefetch or 2} files ahead in a thread "
        "while the model embeds, baseline one file at a time",
    )


def main(argv: list[str] | None = None) -> None:
    """``python -m ingest.benchmark.reingest``: print the re-ingest figures."""
    parser = argparse.ArgumentParser(prog="python -m ingest.benchmark.reingest", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="Folder to work in.")
    parser.add_argument("--documents", type=int, default=1000, help="Documents generated.")
    parser.add_argument("--runs", type=int, default=3, help="Timed runs per figure (the median is kept).")
    parser.add_argument("--prefetch-documents", type=int, default=200, help="Documents of the parsing-ahead figure.")
    options = parser.parse_args(argv)
    settings = load_settings({"data_dir": options.out / "unused-store"})
    embedder = Embedder(settings)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    figures = reingest_figures(
        options.out,
        settings,
        embedder,
        documents=options.documents,
        runs=options.runs,
        prefetch_documents=options.prefetch_documents,
        log=log,
    )
    print(render_table(figures))
    for figure in figures:
        print(f"- {figure.name}: {figure.note}")


if __name__ == "__main__":
    main()
