"""The answer-latency part of the benchmark, in a tiny configuration: a few questions, 2,000 chunks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.benchmark.answers import answer_figures, sample_questions, synthetic_prose, write_synthetic_store
from ingest.benchmark.synthetic import SyntheticCorpus
from search.embedding import Embedder
from search.service import SearchService
from search.text.sentences import split_sentences
from tests.conftest import settings_for

QUESTIONS = sample_questions()


def test_synthetic_prose_gives_the_composer_sentences() -> None:
    corpus = SyntheticCorpus(QUESTIONS)
    text = corpus.document(0).texts[0]
    prose = synthetic_prose(text, np.random.default_rng(1))
    sentences = [sentence for _, _, sentence in split_sentences(prose)]
    assert len(sentences) >= 5
    assert all(5 <= len(sentence.split()) <= 90 and sentence.endswith(".") for sentence in sentences)
    assert prose.lower().replace(".", "").split() == text.split()  # same words, only punctuated


def test_synthetic_store_opens_through_the_service(tmp_path: Path, embedder: Embedder) -> None:
    written = write_synthetic_store(tmp_path / "store", SyntheticCorpus(QUESTIONS), 200, "all-MiniLM-L6-v2")
    service = SearchService(settings_for(tmp_path / "store"), embedder=embedder)
    try:
        assert written == 200 and service.stats().chunks == 200
        hits = service.search(QUESTIONS[0], top_k=16).hits
        assert len(hits) == 16 and {hit.doc_type for hit in hits} <= {
            "guidance",
            "procedure",
            "review",
            "committee_paper",
            "minutes",
            "statement",
        }
        assert service.ask(QUESTIONS[0]).question  # asks end to end without an error
    finally:
        service.close()


def test_answer_figures_shape(tmp_path: Path, embedder: Embedder, sample_copy: Path) -> None:
    figures = answer_figures(
        QUESTIONS[:3],
        SyntheticCorpus(QUESTIONS),
        tmp_path,
        settings_for(tmp_path / "unused"),
        embedder,
        documents=sample_copy,
        synthetic_chunks=2_000,
        synthetic_questions=3,
        log=lambda _: None,
    )
    by_name = {figure.name: figure for figure in figures}
    assert list(by_name) == [
        "answer extractive p50 @sample",
        "answer extractive p95 @sample",
        "answer extractive p50 @sample, asked again",
        "answer retrieval p50 @sample",
        "answer composing p50 @sample",
        "answer extractive p50 @2,000",
        "answer extractive p95 @2,000",
    ]
    for figure in figures:
        assert figure.unit == "ms" and figure.ours is not None and figure.ours > 0
    for name in ("answer extractive p50 @sample", "answer extractive p95 @2,000"):
        # Beside the composer that embedded every candidate sentence, timed in the same run.
        assert by_name[name].baseline is not None and by_name[name].baseline > 0  # type: ignore[operator]
        assert "every candidate sentence embedded" in by_name[name].note
    for where in ("sample", "2,000"):
        assert by_name[f"answer extractive p50 @{where}"].ours <= by_name[f"answer extractive p95 @{where}"].ours  # type: ignore[operator]
    assert "3 questions" in by_name["answer extractive p50 @sample"].note
    assert not (tmp_path / "answers-synthetic-store").exists()  # the large store is removed afterwards
    assert (tmp_path / "answers-sample-store").is_dir()
