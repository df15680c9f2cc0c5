"""`lessons eval --beir` on a tiny BEIR folder, with the real model and the real embedded store."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.embedding import Embedder
from search.evaluation.beir import ServiceRanker, evaluate_beir, load_beir
from search.service import SearchService
from search.settings import load_settings
from tests.search.evaluation.beir_folders import write_beir
from ui.cli import cli

SYLLABLES = ["bra", "clo", "dre", "fli", "gro", "ku", "lom", "mip", "nax", "pru", "quo", "ris", "tav", "vel"]
FILLER = "the local safeguarding partnership reviewed the case and agreed actions for practitioners"


def unique_words(number: int) -> list[str]:
    """Three invented words that only document ``number`` contains."""
    words = ["".join(parts) for parts in itertools.product(SYLLABLES, repeat=3)]
    return words[number * 3 : number * 3 + 3]


@pytest.fixture(scope="module")
def tiny_beir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = [
        {"_id": f"doc{i}", "title": f"Review {i}", "text": f"{FILLER} {' '.join(unique_words(i))}."}
        for i in range(30)
    ]
    # Query i is literally the unique words of document 3 * i; the last also has an id of the corpus.
    queries = [{"_id": f"q{i}", "text": " ".join(unique_words(3 * i))} for i in range(4)]
    queries.append({"_id": "doc29", "text": " ".join(unique_words(12))})
    qrels = [(f"q{i}", f"doc{3 * i}", 1) for i in range(4)] + [("doc29", "doc12", 1)]
    return write_beir(tmp_path_factory.mktemp("beir") / "tiny", corpus, queries, qrels)


@pytest.fixture(scope="module")
def store_dir(tiny_beir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eval-store")


def test_cli_eval_prints_scores_per_mode_as_json(tiny_beir: Path, store_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--beir", str(tiny_beir), "--data-dir", str(store_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {key: report[key] for key in ("dataset", "split", "documents", "queries", "reused_index")} == {
        "dataset": "tiny", "split": "test", "documents": 30, "queries": 5, "reused_index": False,
    }
    modes = {row["mode"]: row for row in report["modes"]}
    assert set(modes) == {"hybrid", "keyword", "semantic"}
    for row in modes.values():
        assert set(row) == {"mode", "ndcg_at_10", "recall_at_100", "queries", "seconds"}
        assert row["queries"] == 5 and 0.0 <= row["ndcg_at_10"] <= 1.0
    assert modes["keyword"]["ndcg_at_10"] == 1.0
    assert modes["keyword"]["recall_at_100"] == 1.0


def test_cli_eval_reuses_a_store_of_the_same_corpus(tiny_beir: Path, store_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["eval", "--beir", str(tiny_beir), "--data-dir", str(store_dir), "--modes", "keyword"]
    )
    assert result.exit_code == 0, result.output
    assert "tiny (test): 30 documents, 5 queries; reused the index" in result.output
    assert [line.split()[0] for line in result.output.splitlines()[2:]] == ["keyword"]
    assert result.output.splitlines()[2].split()[1] == "1.0000"


def test_eval_ranking_is_the_search_service_ranking(tiny_beir: Path, store_dir: Path) -> None:
    settings = load_settings({"data_dir": store_dir})
    beir = load_beir(tiny_beir)
    report = evaluate_beir(beir, settings, modes=("keyword",), embedder=Embedder(settings))
    assert report.reused_index
    service = SearchService(settings)
    try:
        ranker = ServiceRanker(service, top_k=100)
        for mode in ("hybrid", "keyword", "semantic"):
            for text in beir.queries.values():
                hits = service.search(text, top_k=100, mode=mode).hits
                assert ranker(text, mode) == [hit.doc_id for hit in hits]
    finally:
        service.close()


def test_query_own_id_is_not_counted(tiny_beir: Path, store_dir: Path) -> None:
    settings = load_settings({"data_dir": store_dir})
    service = SearchService(settings)
    try:
        from search.evaluation.beir import rank_queries

        rankings = rank_queries(load_beir(tiny_beir), ServiceRanker(service, top_k=100), "keyword")
    finally:
        service.close()
    assert rankings["doc29"][0] == "doc12"
    assert "doc29" not in rankings["doc29"]


def test_cli_eval_missing_folder_says_the_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--beir", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "does not exist: give a folder holding corpus.jsonl(.gz)" in result.output


def test_cli_eval_refuses_unknown_modes(tiny_beir: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", "--beir", str(tiny_beir), "--modes", "fuzzy"])
    assert result.exit_code == 2
    assert "use modes among hybrid, keyword, semantic" in result.output


def test_cli_eval_never_overwrites_another_store(tiny_beir: Path, tmp_path: Path) -> None:
    other = write_beir(tmp_path / "other", [{"_id": "x", "title": "", "text": "other"}],
                       [{"_id": "q", "text": "other"}], [("q", "x", 1)])
    store = tmp_path / "store"
    assert CliRunner().invoke(cli, ["eval", "--beir", str(other), "--data-dir", str(store)]).exit_code == 0
    result = CliRunner().invoke(cli, ["eval", "--beir", str(tiny_beir), "--data-dir", str(store)])
    assert result.exit_code == 2
    assert "already holds a store of other documents" in result.output
    assert "give an empty folder, or none for a temporary one" in result.output
