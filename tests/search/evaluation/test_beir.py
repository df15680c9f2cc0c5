"""Loading BEIR-format folders: the happy path, subsets, and the errors a broken folder gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.errors import BenchmarkDataError
from search.evaluation.beir import load_beir, subset
from tests.search.evaluation.beir_folders import write_beir

CORPUS = [
    {"_id": "d1", "title": "Neglect", "text": "Signs of neglect in infants."},
    {"_id": "d2", "title": "", "text": "Missing from education."},
    {"_id": "d3", "title": "Thresholds", "text": "Levels of need.", "metadata": {}},
]
QUERIES = [
    {"_id": "q1", "text": "infant neglect"},
    {"_id": "q2", "text": "children missing school"},
    {"_id": "q3", "text": "judged but nothing relevant"},
    {"_id": "q4", "text": "not judged at all"},
]
QRELS = [("q1", "d1", 2), ("q1", "d3", 1), ("q2", "d2", 1), ("q3", "d1", 0)]


@pytest.mark.parametrize("gzipped", [False, True])
def test_load_reads_corpus_queries_and_graded_qrels(tmp_path: Path, gzipped: bool) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, QUERIES, QRELS, gzipped=gzipped)
    beir = load_beir(folder)
    assert beir.name == "tiny" and beir.split == "test"
    assert list(beir.corpus) == ["d1", "d2", "d3"]
    assert beir.corpus["d1"].passage == "Neglect\nSigns of neglect in infants."
    assert beir.corpus["d2"].passage == "Missing from education."
    # q3 has no relevant document and q4 no judgement: neither can be scored.
    assert beir.queries == {"q1": "infant neglect", "q2": "children missing school"}
    assert beir.qrels == {"q1": {"d1": 2, "d3": 1}, "q2": {"d2": 1}}


def test_load_reads_another_split(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, QUERIES, [("q2", "d2", 1)], split="dev")
    assert list(load_beir(folder, "dev").queries) == ["q2"]
    with pytest.raises(BenchmarkDataError, match=r"no qrels/test\.tsv.*--split"):
        load_beir(folder, "test")


def test_subset_keeps_judged_documents_of_kept_queries(tmp_path: Path) -> None:
    corpus = [{"_id": f"d{i}", "title": "", "text": f"text {i}"} for i in range(50)]
    queries = [{"_id": f"q{i}", "text": f"query {i}"} for i in range(10)]
    qrels = [(f"q{i}", f"d{i * 5}", 1) for i in range(10)]
    beir = load_beir(write_beir(tmp_path / "big", corpus, queries, qrels))
    small = subset(beir, max_docs=8, max_queries=4)
    assert len(small.queries) == 4 and len(small.corpus) == 8
    for query_id in small.queries:
        assert set(small.qrels[query_id]) <= set(small.corpus)
    assert subset(beir, max_docs=8, max_queries=4) == small  # the same draw every time
    # Judged documents are kept even when they alone exceed max_docs.
    assert len(subset(beir, max_docs=2).corpus) == 10


def test_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkDataError, match=r"BEIR folder .*nowhere does not exist: give a folder"):
        load_beir(tmp_path / "nowhere")


def test_missing_corpus_names_the_file(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, QUERIES, QRELS)
    (folder / "corpus.jsonl").unlink()
    with pytest.raises(BenchmarkDataError, match=r"has no corpus\.jsonl or corpus\.jsonl\.gz: download"):
        load_beir(folder)


def test_malformed_json_line_names_file_and_line(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, QUERIES, QRELS)
    with (folder / "corpus.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"_id": "d4", "text": \n')
    with pytest.raises(BenchmarkDataError, match=r"corpus\.jsonl line 4 is not valid JSON .*fix or delete"):
        load_beir(folder)


def test_query_without_text_names_file_and_line(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, [{"_id": "q1"}], QRELS)
    with pytest.raises(BenchmarkDataError, match=r"queries\.jsonl line 1 lacks the string field\(s\) _id, text"):
        load_beir(folder)


def test_bad_qrels_line_names_file_and_line(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, QUERIES, QRELS)
    with (folder / "qrels" / "test.tsv").open("a", encoding="utf-8") as handle:
        handle.write("q2\td2\tvery\n")
    with pytest.raises(BenchmarkDataError, match=r"test\.tsv line 6 is not 'query-id<TAB>corpus-id<TAB>score'"):
        load_beir(folder)


def test_qrels_matching_no_query_is_an_error(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny", CORPUS, QUERIES, [("other", "d1", 1)])
    with pytest.raises(BenchmarkDataError, match="no query of .* has a relevant document"):
        load_beir(folder)
