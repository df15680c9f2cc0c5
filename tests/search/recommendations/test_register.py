"""The recommendations register built by the ingest job over the sample corpus, read through the service."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from search.errors import QueryError, RecommendationNotFoundError, RegisterError
from search.recommendations.models import JSON_KEYS
from search.recommendations.verbatim import quote_on_pages
from search.service import SearchService
from tests.conftest import settings_for

EXPECTED = tomllib.loads((Path(__file__).parent / "sample-expected.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def service(sample_settings, embedder):
    service = SearchService(sample_settings, embedder=embedder)
    yield service
    service.close()


@pytest.fixture(scope="module")
def records(service):
    return {record.id: record for record in service.recommendations()}


def test_the_ingest_job_built_the_register(records):
    assert len(records) == 41
    assert {record.doc_id for record in records.values()} == {
        "marshfield-lscb-mash-audit-2016",
        "marshfield-mash-peer-on-peer-review-2020",
        "marshfield-scrutiny-report-peer-on-peer-2020",
        "mscp-mash-reaudit-2022",
        "marshfield-scrutiny-annual-report-2021-22",
        "marshfield-front-door-peer-challenge-2023",
    }


def test_every_record_is_verbatim_on_its_page_in_the_store(service, records):
    for record in records.values():
        detail = service.recommendation(record.id)
        document = service.document(record.doc_id)
        pages = [service.store.page_text(record.doc_id, n) or "" for n in range(1, (document.pages or 1) + 1)]
        assert quote_on_pages(record.text, pages, record.page or 1, detail.page_end or record.page or 1), record.id


def test_json_has_exactly_the_published_keys(records):
    record = records["marshfield-lscb-mash-audit-2016:R3"].to_json()
    assert tuple(record) == JSON_KEYS
    assert record["page"] == 5 and record["number"] == "3" and record["date"] == "2016-11-15"
    assert record["made_by"] == "review" and record["addressee"] == "MASH"
    assert "recording and case records" in record["themes"]
    assert record["title"] == "Audit of decision-making in the Marshfield Multi Agency Safeguarding Hub"
    assert record["source"].endswith("marshfield-lscb-mash-audit-2016.pdf")


@pytest.mark.parametrize("chain", EXPECTED["chain"], ids=lambda chain: chain["about"][:40])
def test_recurrence_groups_as_labelled(records, chain):
    groups = {records[member].recurrence_group for member in chain["members"]}
    assert len(groups) == 1 and None not in groups, {m: records[m].recurrence_group for m in chain["members"]}
    for member in chain["members"]:
        assert records[member].recurring
        assert set(chain["members"]) - {member} <= set(records[member].similar)


@pytest.mark.parametrize("apart", EXPECTED["apart"], ids=lambda apart: apart["why"][:40])
def test_different_asks_stay_apart(records, apart):
    first, second = (records[rec_id].recurrence_group for rec_id in apart["pair"])
    assert first is None or first != second, apart["why"]


def test_known_misses_are_reported(records):
    for missed in EXPECTED["missed"]:
        groups = {records[member].recurrence_group for member in missed["members"]}
        found = len(groups) == 1 and None not in groups
        print(f"\n{'found' if found else 'missed'}: {missed['about']}")


@pytest.mark.parametrize("expected", EXPECTED["status"], ids=lambda expected: expected["id"].split(":")[-1])
def test_statuses_linked_from_later_papers(service, expected):
    detail = service.recommendation(expected["id"])
    history = [(event.doc_id, event.status) for event in detail.status_history if event.status]
    for step in expected["history"]:
        assert tuple(step) in history, history
    assert detail.record.status == expected["final"]
    assert detail.record.status_evidence in [event.evidence for event in detail.status_history]
    dates = [event.date for event in detail.status_history]
    assert dates == sorted(dates)


def test_a_status_event_cites_its_page(service):
    detail = service.recommendation("marshfield-scrutiny-report-peer-on-peer-2020:R4")
    response = next(e for e in detail.status_history if e.doc_id == "marshfield-cabinet-response-scrutiny-2020")
    assert response.page == 2 and "Response: Partly accepted" in response.evidence
    minutes = next(e for e in detail.status_history if e.doc_id == "marshfield-scrutiny-minutes-2021-11-17")
    assert minutes.page is None  # a DOCX has no pages


def test_the_committee_members_question(service):
    """ "What did we recommend about recording referrals, and what happened?"""
    found = service.recommendations(query="what did we recommend about recording referrals, and what happened?")
    ids = [record.id for record in found]
    for wanted in (
        "marshfield-lscb-mash-audit-2016:R3",
        "marshfield-mash-peer-on-peer-review-2020:R1",
        "marshfield-scrutiny-report-peer-on-peer-2020:R2",
    ):
        assert wanted in ids[:10], ids
    assert "marshfield-scrutiny-report-peer-on-peer-2020:R7" not in ids  # publishing figures by school
    detail = service.recommendation("marshfield-lscb-mash-audit-2016:R3")
    assert detail.chain is not None and detail.chain.recurring
    assert [link.date for link in detail.chain.links] == ["2016-11-15", "2020-08-27", "2020-10-14"]
    assert detail.chain.summary().startswith("made in Audit of decision-making")
    assert "again in Review of the handling of peer-on-peer" in detail.chain.summary()
    assert detail.chain.links[-1].status == "implemented"
    assert any(
        reason.theme == "recording and case records" and "record" in reason.why for reason in detail.theme_reasons
    )


def test_filters(service, records):
    committee = service.recommendations(made_by="committee")
    assert {r.doc_id for r in committee} == {
        "marshfield-scrutiny-report-peer-on-peer-2020",
        "marshfield-scrutiny-annual-report-2021-22",
    }
    rejected = service.recommendations(status="rejected")
    assert [r.id for r in rejected] == ["marshfield-scrutiny-report-peer-on-peer-2020:R7"]
    recurring = service.recommendations(recurring=True)
    assert all(r.recurring for r in recurring) and len(recurring) >= 13
    dated = service.recommendations(date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31))
    assert {r.doc_id for r in dated} == {"mscp-mash-reaudit-2022", "marshfield-scrutiny-annual-report-2021-22"}
    training = service.recommendations(theme="Training and Workforce")
    assert "marshfield-lscb-mash-audit-2016:R5" in [r.id for r in training]
    assert all("training and workforce" in r.themes for r in training)


def test_bad_filters_say_what_is_allowed(service):
    with pytest.raises(QueryError, match="unknown theme 'housing'.*information sharing"):
        service.recommendations(theme="housing")
    with pytest.raises(QueryError, match="unknown status 'done'.*implemented"):
        service.recommendations(status="done")
    with pytest.raises(
        RecommendationNotFoundError, match="no recommendation with id 'nope:R1'.*lessons recommendations"
    ):
        service.recommendation("nope:R1")


def test_themes_for_filters(service):
    themes = service.recommendation_themes()
    for name in (
        "information sharing",
        "recording and case records",
        "voice of the child",
        "multi-agency working",
        "thresholds and referrals",
        "risk assessment",
        "harmful sexual behaviour and child-on-child abuse",
        "schools' response",
        "training and workforce",
        "supervision and management oversight",
        "listening to families",
        "prevention",
    ):
        assert name in themes


def test_chains_are_listed_oldest_first_within(service):
    chains = service.recurrence_chains()
    assert len(chains) >= 6 and all(chain.recurring for chain in chains)
    for chain in chains:
        dates = [link.date for link in chain.links]
        assert dates == sorted(dates)


def test_csv_export(service, records):
    text = service.recommendations_csv(service.recommendations(status="rejected"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == JSON_KEYS
    assert rows[0]["id"] == "marshfield-scrutiny-report-peer-on-peer-2020:R7" and rows[0]["page"] == "4"
    assert rows[0]["text"] == records["marshfield-scrutiny-report-peer-on-peer-2020:R7"].text


def test_a_store_without_a_register_gives_a_hint(tmp_path):
    service = SearchService(settings_for(tmp_path))
    with pytest.raises(RegisterError, match="lessons recommendations --rebuild"):
        service.recommendations()


def test_a_register_from_another_version_gives_a_hint(tmp_path):
    with sqlite3.connect(tmp_path / "register.sqlite") as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '0')")
    with pytest.raises(RegisterError, match="another version of Lessons.*--rebuild"):
        SearchService(settings_for(tmp_path)).recommendations()


def test_one_service_serves_several_threads(service):
    """The web app shares one service between its script threads."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        details = list(pool.map(service.recommendation, ["marshfield-lscb-mash-audit-2016:R3"] * 2))
    assert all(detail.theme_reasons for detail in details)
