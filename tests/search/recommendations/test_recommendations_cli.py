"""`lessons recommendations`: the table, --json, --csv, --id with history and chain, and errors in words."""

from __future__ import annotations

import json

from click.testing import CliRunner

from search.recommendations.models import JSON_KEYS
from ui.cli import cli


def run(settings, *args):
    return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "recommendations", *args])


def test_json_list_with_filters(sample_settings):
    result = run(sample_settings, "--status", "rejected", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [item["id"] for item in items] == ["marshfield-scrutiny-report-peer-on-peer-2020:R7"]
    assert tuple(items[0]) == JSON_KEYS


def test_table_and_csv(sample_settings, tmp_path):
    target = tmp_path / "recurring.csv"
    result = run(sample_settings, "--recurring", "--from", "2016", "--to", "2016", "--csv", str(target))
    assert result.exit_code == 0, result.output
    assert "marshfield-lscb-mash-audit-2016:R3  [2016-11-15; review; not implemented; recurring" in result.output
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("id,text,doc_id,title")


def test_one_record_with_history_and_chain(sample_settings):
    result = run(sample_settings, "--id", "marshfield-lscb-mash-audit-2016:R3")
    assert result.exit_code == 0, result.output
    assert "Status history:" in result.output and "not implemented" in result.output
    assert (
        "made in Audit of decision-making in the Marshfield Multi Agency Safeguarding Hub (2016-11-15) p. 5"
        in result.output
    )
    assert "again in Scrutiny of the MASH review" in result.output


def test_errors_are_words_not_tracebacks(sample_settings, tmp_path):
    result = run(sample_settings, "--theme", "housing")
    assert result.exit_code == 2 and "lessons: unknown theme 'housing'" in result.output
    empty = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "recommendations"])
    assert empty.exit_code == 2 and "lessons recommendations --rebuild" in empty.output
    assert "Traceback" not in empty.output
