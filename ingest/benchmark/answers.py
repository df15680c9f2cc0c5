"""Extractive answer latency: SearchService.ask on the sample corpus and on a large synthetic store.

The baseline is the same ask with the composer as it was before answers were made fast: every
candidate sentence embedded on every question (no lexical preselection, no sentence cache), timed
in the same run on the same store.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ingest.benchmark.figures import Figure, milliseconds
from ingest.benchmark.synthetic import CHUNKS_PER_DOCUMENT, DIMENSION, SyntheticCorpus
from ingest.service import IngestService
from search.answers.asking import check_question
from search.embedding import Embedder
from search.models import ChunkRecord, DocumentRecord
from search.service import SearchService
from search.settings import Settings
from search.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DOCUMENTS = REPO / "corpus" / "documents"
SAMPLE_QUESTIONS = REPO / "corpus" / "evaluation" / "sample-questions.jsonl"
BASELINE = "baseline: every candidate sentence embedded, no sentence cache (the composer before issue 8)"
EVERY_SENTENCE = 100_000
"""``answer_embed_sentences`` for the baseline: more than any answer has, so every candidate is embedded."""
_DOC_TYPES = ("guidance", "procedure", "review", "committee_paper", "minutes", "statement")
_PUBLISHERS = (
    "Department for Education",
    "Marshfield Safeguarding Children Partnership",
    "Ofsted",
    "Marshfield County Council",
)
_CHUNKS_PER_PAGE = 3


def sample_questions(path: Path = SAMPLE_QUESTIONS) -> list[str]:
    """The ``question`` field of each line of the evaluation set, in file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def synthetic_prose(text: str, rng: np.random.Generator) -> str:
    """``text``'s words cut into sentences of 6 to 20 words, each capitalised and ending in a full stop.

    The synthetic passages are bare word sequences; the answer composer works on sentences, so
    without punctuation it would see one over-long sentence per passage and reject it unread.
    """
    words = text.split()
    sentences = []
    start = 0
    while start < len(words):
        piece = words[start : start + int(rng.integers(6, 21))]
        start += len(piece)
        sentences.append(" ".join([piece[0].capitalize(), *piece[1:]]) + ".")
    return " ".join(sentences)


def write_synthetic_store(data_dir: Path, corpus: SyntheticCorpus, chunks: int, model: str) -> int:
    """Write a store of about ``chunks`` synthetic passages (sentences, random unit vectors, full
    document metadata) that SearchService can open with ``model``; returns the chunks written."""
    shutil.rmtree(data_dir, ignore_errors=True)
    store = EmbeddedStore(data_dir, model=model, dimension=DIMENSION, writable=True)
    documents = -(-chunks // CHUNKS_PER_DOCUMENT)
    try:
        for number in range(documents):
            document = corpus.document(number)
            rng = np.random.default_rng([corpus.seed, 3, number])
            records = []
            for ordinal, (text, vector) in enumerate(zip(document.texts, document.embeddings, strict=True)):
                prose = synthetic_prose(text, rng)
                page = ordinal // _CHUNKS_PER_PAGE + 1
                records.append(
                    ChunkRecord(
                        doc_id=document.doc_id,
                        ordinal=ordinal,
                        text=prose,
                        page=page,
                        page_end=page,
                        paragraph=str(ordinal + 1),
                        char_end=len(prose),
                        embedding=vector,  # type: ignore[arg-type]
                    )
                )
            store.upsert_document(
                DocumentRecord(
                    doc_id=document.doc_id,
                    title=f"Synthetic {_DOC_TYPES[number % len(_DOC_TYPES)]} {number}",
                    doc_type=_DOC_TYPES[number % len(_DOC_TYPES)],
                    publisher=_PUBLISHERS[number % len(_PUBLISHERS)],
                    published=f"{2015 + number % 10}-{1 + number % 12:02d}-01",
                    area="Marshfield",
                    # Its own series: titles differing only in a number would otherwise read as editions.
                    series=document.doc_id,
                    source=f"synthetic:{number}",
                    content_hash=str(number),
                    pages=-(-len(records) // _CHUNKS_PER_PAGE),
                    chunks=len(records),
                ),
                records,
                [],
            )
        store.flush()
    finally:
        store.close()
    return documents * CHUNKS_PER_DOCUMENT


def baseline_settings(settings: Settings) -> Settings:
    """``settings`` with the composer of the baseline: every candidate sentence embedded, nothing cached."""
    return replace(settings, answer_embed_sentences=EVERY_SENTENCE, answer_cache_sentences=0)


def _timed_asks(service: SearchService, questions: Sequence[str]) -> tuple[list[float], int]:
    """Seconds per ask (after one discarded warm-up ask of another question) and how many were
    answered, not abstained."""
    service.ask("what should a practitioner do first")
    seconds, answered = [], 0
    for question in questions:
        started = time.perf_counter()
        answer = service.ask(question)
        seconds.append(time.perf_counter() - started)
        answered += not answer.abstained
    return seconds, answered


def _retrieval_seconds(service: SearchService, questions: Sequence[str]) -> list[float]:
    """Seconds per retrieval as ask runs it: the tidied question, twice ``answer_passages`` hits."""
    top_k = service.settings.answer_passages * 2
    seconds = []
    for question in questions:
        text, _ = check_question(question)
        started = time.perf_counter()
        service.answer_passages(text, top_k=top_k)
        seconds.append(time.perf_counter() - started)
    return seconds


def _percentiles(where: str, seconds: list[float], baseline: list[float], note: str) -> list[Figure]:
    return [
        Figure(f"answer extractive p{p} @{where}", "ms", milliseconds(seconds, p), milliseconds(baseline, p), note=note)
        for p in (50, 95)
    ]


def _asks_ours_and_baseline(
    settings: Settings, embedder: Embedder, questions: Sequence[str]
) -> tuple[list[float], list[float], int, list[float]]:
    """Seconds per ask with our composer and with the baseline's (each in a fresh service, so the
    sentence cache starts empty), how many we answered, and our seconds when each is asked again."""
    service = SearchService(settings, embedder=embedder)
    try:
        ours, answered = _timed_asks(service, questions)
        again, _ = _timed_asks(service, questions)
    finally:
        service.close()
    baseline_service = SearchService(baseline_settings(settings), embedder=embedder)
    try:
        baseline, _ = _timed_asks(baseline_service, questions)
    finally:
        baseline_service.close()
    return ours, baseline, answered, again


def answer_figures(
    questions: Sequence[str],
    corpus: SyntheticCorpus,
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    documents: Path = SAMPLE_DOCUMENTS,
    synthetic_chunks: int = 100_000,
    synthetic_questions: int = 30,
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """Time extractive answers (wall time of SearchService.ask, model warm, one warm-up ask discarded).

    Parameters:
        questions: the questions, all asked of the sample corpus; the first ``synthetic_questions``
            of them asked of the synthetic store.
        corpus: the synthetic passages' generator.
        folder: where the stores go: the sample store stays (a rerun only checks it), the
            synthetic store is removed afterwards.
        settings: the bench's settings (the data_dir is replaced; answers are forced extractive).
        embedder: the warm model, shared.
        documents: the sample corpus folder.
        synthetic_chunks: passages in the synthetic store (0 skips it).

    Returns p50/p95 on both stores beside the baseline's (every candidate sentence embedded, no
    cache), p50 when the same questions are asked again (sentences cached), and, for the sample
    corpus, the median split between retrieval and composing (the rest of ask).
    """
    figures: list[Figure] = []
    sample = replace(settings, data_dir=folder / "answers-sample-store", answer_mode="extractive")
    log(f"answers: ingesting the sample corpus from {documents}")
    report = IngestService(sample, embedder=embedder).ingest([documents])
    for failed in report.failed:
        log(f"answers: could not ingest {failed}")
    log(f"answers: asking {len(questions)} questions of the sample corpus, ours then the baseline")
    asked, baseline, answered, again = _asks_ours_and_baseline(sample, embedder, questions)
    service = SearchService(sample, embedder=embedder)
    try:
        retrieval = _retrieval_seconds(service, questions)
    finally:
        service.close()
    composing = [max(ask - search, 0.0) for ask, search in zip(asked, retrieval, strict=True)]
    where = f"sample corpus, {len(questions)} questions"
    figures += _percentiles("sample", asked, baseline, f"{BASELINE}; {where}, {answered} answered, the rest abstained")
    figures.append(
        Figure(
            "answer extractive p50 @sample, asked again",
            "ms",
            milliseconds(again, 50),
            None,
            note="the same questions again in the same process: their sentences come from the cache",
        )
    )
    figures.append(
        Figure(
            "answer retrieval p50 @sample",
            "ms",
            milliseconds(retrieval, 50),
            None,
            note="SearchService.answer_passages with top_k = 2 x answer_passages (includes the question's embedding)",
        )
    )
    figures.append(
        Figure(
            "answer composing p50 @sample",
            "ms",
            milliseconds(composing, 50),
            None,
            note="per question, ask minus its retrieval: sentence scoring, embedding the best, citing",
        )
    )
    if synthetic_chunks:
        few = list(questions[:synthetic_questions])
        data_dir = folder / "answers-synthetic-store"
        log(f"answers: writing {synthetic_chunks:,} synthetic chunks with sentences")
        try:
            written = write_synthetic_store(data_dir, corpus, synthetic_chunks, settings.model)
            log(f"answers: asking {len(few)} questions at {written:,} chunks, ours then the baseline")
            asked, baseline, answered, _ = _asks_ours_and_baseline(replace(sample, data_dir=data_dir), embedder, few)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        figures += _percentiles(
            f"{synthetic_chunks:,}",
            asked,
            baseline,
            f"{BASELINE}; {len(few)} sample questions over synthetic passages with random vectors, "
            f"{answered} answered, the rest abstained",
        )
    return figures
