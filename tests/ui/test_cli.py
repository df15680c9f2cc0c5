"""The ``lessons`` command line against the real sample store: JSON shapes, exit codes, error texts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ui.cli import cli


def run(settings, *args: str, input: str | None = None):
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args], input=input)
    return result


def test_search_json_has_the_documented_shape(sample_settings):
    result = run(sample_settings, "search", "pupil sexually assaulted by a classmate", "-k", "3", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["query"] == "pupil sexually assaulted by a classmate"
    assert len(payload["hits"]) == 3
    assert set(payload["hits"][0]) == {
        "doc_id",
        "title",
        "doc_type",
        "publisher",
        "published",
        "source",
        "page",
        "section",
        "paragraph",
        "score",
        "text",
    }


def test_search_filters_by_type_and_date(sample_settings):
    result = run(
        sample_settings,
        "search",
        "MASH recording decisions",
        "--type",
        "minutes",
        "--from",
        "2021",
        "--to",
        "2021-12-31",
        "--json",
    )
    hits = json.loads(result.output)["hits"]
    assert hits, result.output
    assert {hit["doc_id"] for hit in hits} == {"marshfield-scrutiny-minutes-2021-11-17"}


def test_many_queries_print_one_json_line_each(sample_settings):
    result = run(
        sample_settings,
        "search",
        "--queries",
        "-",
        "-k",
        "2",
        input="missing from school\n\nrefresher training for the DSL\n",
    )
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["missing from school", "refresher training for the DSL"]
    assert all(len(line["hits"]) == 2 for line in lines)


def test_docs_stats_and_show(sample_settings):
    docs = json.loads(run(sample_settings, "docs", "--json").output)["documents"]
    assert len(docs) == 16
    assert set(docs[0]) == {
        "doc_id",
        "title",
        "doc_type",
        "publisher",
        "published",
        "source",
        "pages",
        "chunks",
        "access",
    }
    stats = json.loads(run(sample_settings, "stats", "--json").output)
    assert stats["documents"] == 16 and stats["chunks"] == sum(d["chunks"] for d in docs)
    page = json.loads(
        run(sample_settings, "show", "marshfield-mash-peer-on-peer-review-2020", "--page", "10", "--json").output
    )
    assert "Recommendation 1" in page["text"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "x", "--from", "last week"), "--from 'last week' is not a date: use YYYY-MM-DD"),
        (("search", "x", "--type", "memo"), "unknown document type 'memo'"),
        (("search", "   "), "the query is empty"),
        (("show", "no-such-doc"), "no document with id 'no-such-doc' is indexed"),
        (
            ("show", "marshfield-mash-peer-on-peer-review-2020", "--page", "99"),
            "has no page 99: its pages run from 1 to 14",
        ),
    ],
)
def test_bad_arguments_get_a_message_naming_the_value_and_the_fix(sample_settings, args, message):
    result = run(sample_settings, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_bad_setting_names_the_variable_and_value(tmp_path, monkeypatch):
    monkeypatch.setenv("LESSONS_TOP_K", "lots")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "docs"])
    assert result.exit_code == 2
    assert "setting top_k = 'lots' (from LESSONS_TOP_K) is not a valid int" in result.output


def test_ingest_json_report_and_strict_exit_code(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "store"), "ingest", str(tmp_path / "docs"), "--json", "--strict"]
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["failed"] == [
        {
            "source": str((tmp_path / "docs" / "empty.txt").resolve()),
            "reason": "empty file (0 bytes): re-download or re-export it",
        }
    ]


def test_ask_json_has_the_documented_shape(sample_settings):
    result = run(sample_settings, "ask", "How often must the DSL do refresher training?", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert {"question", "answer", "abstained", "sentences", "citations"} <= set(answer)
    assert not answer["abstained"]
    assert {"text", "citations", "obligation"} <= set(answer["sentences"][0])
    assert set(answer["citations"][0]) == {
        "n",
        "doc_id",
        "title",
        "doc_type",
        "publisher",
        "published",
        "source",
        "page",
        "paragraph",
        "quote",
    }
    assert answer["sentences"][0]["obligation"] == "must"


def test_ask_many_questions_and_a_bad_date(sample_settings):
    result = run(
        sample_settings, "ask", "--questions", "-", input="How often must the DSL do refresher training?\n?!\n"
    )
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["abstained"] is False and "has no words" in lines[1]["error"]
    bad = run(sample_settings, "ask", "anything", "--as-at", "soon")
    assert bad.exit_code == 2 and "--as-at 'soon' is not a date" in bad.output
