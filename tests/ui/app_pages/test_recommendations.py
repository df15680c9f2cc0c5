"""The Recommendations page: the register with filters, a record's page and history, chains, CSV export."""

from __future__ import annotations

import re

import pytest

from search.service import SearchService
from tests.ui.app_pages.conftest import problems

pytestmark = pytest.mark.skipif(not hasattr(SearchService, "recommendations"), reason="register not built yet")


def _register_rows(app):
    return app.dataframe[0].value


def test_the_register_lists_every_recommendation(open_app, app_settings):
    records = SearchService(app_settings).recommendations()
    assert records, "the sample corpus makes recommendations"
    app = open_app(app_settings, "recommendations")
    assert problems(app) == [] and not app.error
    table = _register_rows(app)
    assert sorted(table["Id"]) == sorted(record.id for record in records)
    assert app.get("download_button")[0].proto.label == "Export CSV"


def test_filters_narrow_the_register(open_app, app_settings):
    app = open_app(app_settings, "recommendations")
    app.sidebar.checkbox(key="rec-recurring").check().run()
    assert problems(app) == []
    table = _register_rows(app)
    expected = SearchService(app_settings).recommendations(recurring=True)
    assert sorted(table["Id"]) == sorted(record.id for record in expected)
    assert set(table["Recurring"]) <= {"yes"}


def test_a_recommendation_opens_with_its_page_and_the_recurring_chain(open_app, app_settings):
    service = SearchService(app_settings)
    recurring = next(
        record
        for record in service.recommendations(recurring=True)
        if record.doc_id == "marshfield-lscb-mash-audit-2016"
    )
    app = open_app(app_settings, "recommendations")
    app.selectbox(key="rec-open").set_value(recurring.id).run()
    assert problems(app) == []
    markdown = [m.value for m in app.markdown]
    assert any(m.startswith("**Made more than once:** made in Audit of decision") for m in markdown)
    images = app.get("image")
    assert images and "highlighted" in images[0].captions[0]


def test_recurring_lessons_are_shown_in_date_order(open_app, app_settings):
    app = open_app(app_settings, "recommendations")
    assert problems(app) == []
    chains: list[list[str]] = []
    for value in (m.value for m in app.markdown):
        found = re.match(r"- (Made|Again) (\d{4})\\-(\d{2})\\-(\d{2}) in (.*)", value)
        if found is None:
            continue
        if found.group(1) == "Made":
            chains.append([])
        chains[-1].append(f"{found.group(2)}-{found.group(3)}-{found.group(4)} {found.group(5)}")
    assert chains and all(len(chain) >= 2 for chain in chains)
    assert all(chain == sorted(chain) for chain in chains)
    # The 2016 audit's Recommendation 3 (record the reasons for decisions), made again in the 2020 review.
    assert any(
        chain[0].startswith("2016-11-15 Audit of decision") and chain[1].startswith("2020-08-27 Review of the handling")
        for chain in chains
    )
