"""The Search page: results with their metadata and marked words, facets, pages, more like this, safe text."""

from __future__ import annotations

from tests.ui.app_pages.conftest import problems
from tests.ui.conftest import HOSTILE_TITLE

QUERY = "MASH recording of decisions"


def _search(app, query: str):
    app.text_input(key="search-query").input(query)
    return app.form_submit_button[0].click().run()


def _titles(app) -> list[str]:
    return [m.value for m in app.main.markdown if m.value.startswith("**") and m.value[2:3].isdigit()]


def _hit_captions(app) -> list[str]:
    return [c.value for c in app.main.caption if " · " in c.value]


def test_results_show_title_type_publisher_date_page_and_marked_words(open_app, app_settings):
    app = _search(open_app(app_settings, "search"), QUERY)
    assert problems(app) == [] and not app.error
    titles = _titles(app)
    assert len(titles) == 10 and titles[0].startswith("**1. ")
    assert any("Audit of decision\\-making in the Marshfield Multi Agency Safeguarding Hub" in t for t in titles)
    first_caption = _hit_captions(app)[0]
    assert first_caption.count(" · ") >= 3 and "p\\. " in first_caption
    assert any(":orange-background[**MASH**]" in m.value for m in app.main.markdown)
    assert [c.value for c in app.main.caption if c.value.startswith("Results")] == ["Results 1 to 10, best first."]


def test_a_facet_narrows_the_results_and_shows_counts(open_app, app_settings):
    app = _search(open_app(app_settings, "search"), QUERY)
    labels = {box.key: box.label for box in app.sidebar.checkbox}
    assert labels["facet-doc_type-minutes"].startswith("Minutes (")
    assert labels["facet-year-2016"].startswith("2016 (")
    assert labels["facet-theme-recording and case records"].startswith("recording and case records (")
    app.sidebar.checkbox(key="facet-doc_type-minutes").check().run()
    assert problems(app) == []
    captions = _hit_captions(app)
    assert len(captions) == 10 and all(caption.startswith("Minutes · ") for caption in captions)
    assert [box.key for box in app.sidebar.checkbox if box.key.startswith("facet-doc_type-")] == [
        "facet-doc_type-minutes"
    ]
    # Another facet narrows further; the page then shows only minutes of 2021.
    app.sidebar.checkbox(key="facet-year-2021").check().run()
    captions = _hit_captions(app)
    assert captions and all(c.startswith("Minutes · ") and r" · 2021\-" in c for c in captions)
    # More like this, after a facet, still works (the facet choices survive the rerun).
    next(b for b in app.main.button if b.key and b.key.startswith("similar-")).click().run()
    assert any(m.value.startswith("**Passages like this in other documents**") for m in app.main.markdown)
    assert all(c.startswith("Minutes · ") for c in _hit_captions(app)[:1])
    next(b for b in app.sidebar.button if b.label == "Clear the filters").click().run()
    assert len(_titles(app)) == 10
    assert {c.split(" · ")[0] for c in _hit_captions(app)} != {"Minutes"}


def test_results_come_in_pages(open_app, app_settings):
    app = _search(open_app(app_settings, "search"), QUERY)
    previous, following = (b for b in app.main.button if b.label in ("Previous", "Next"))
    assert previous.disabled and not following.disabled
    first_page = _titles(app)
    following.click().run()
    assert problems(app) == []
    assert _titles(app)[0].startswith("**11. ")
    assert [c.value for c in app.main.caption if c.value.startswith("Results")] == ["Results 11 to 20, best first."]
    next(b for b in app.main.button if b.label == "Previous").click().run()
    assert _titles(app) == first_page


def test_more_like_this_lists_passages_from_other_documents(open_app, app_settings):
    app = _search(
        open_app(app_settings, "search"), "Recommendation 3 of the 2016 LSCB audit reasons for threshold decisions"
    )
    button = next(
        b for b in app.main.button if b.key and b.key.startswith("similar-marshfield-mash-peer-on-peer-review-2020#")
    )
    source = button.key.removeprefix("similar-")
    button.click().run()
    assert problems(app) == []
    assert any(m.value.startswith("**Passages like this in other documents**") for m in app.main.markdown)
    prefix = f"open-like-{source}-"
    similar = [b.key.removeprefix(prefix) for b in app.main.button if b.key and b.key.startswith(prefix)]
    assert len(similar) == 5
    assert all(not chunk.startswith("marshfield-mash-peer-on-peer-review-2020#") for chunk in similar)
    assert similar[0].startswith("marshfield-scrutiny-report-peer-on-peer-2020#")


def test_a_page_without_an_image_shows_the_passage_in_its_text(open_app, app_settings):
    app = _search(open_app(app_settings, "search"), "council publishes independent review Dr Alison Penrose")
    button = next(
        b for b in app.main.button if b.key and b.key.startswith("open-result-marshfield-statement-mash-review-2020#")
    )
    button.click().run()
    assert problems(app) == []
    assert any("is not a PDF \\(marshfield\\-statement\\-mash\\-review\\-2020\\.html\\)" in i.value for i in app.info)
    assert any(":orange-background[**" in m.value for m in app.main.markdown)


def test_document_text_full_of_markup_is_shown_as_text(open_app, app_settings):
    app = _search(open_app(app_settings, "search"), "Lantern respite review plain text")
    assert problems(app) == []
    texts = [m.value for m in app.main.markdown]
    title = next(t for t in texts if HOSTILE_TITLE.replace(" ", " ") in t.replace("\\", ""))
    assert title.startswith("**1. ")
    snippet = next(t for t in texts if "script" in t)
    assert "\\<script\\>" in snippet and "<script>" not in snippet
    assert "\\[not a link\\]\\(https\\:\\/\\/example\\.org\\/phish\\)" in snippet
    assert "\\$maths\\$" in snippet and "\\:red\\[not red\\]" in snippet


def test_searching_nothing_shows_nothing_and_a_bad_query_is_explained(open_app, app_settings):
    app = open_app(app_settings, "search")
    assert problems(app) == [] and not _titles(app)
    app = _search(app, "zzzzqqqq xxyyzz")
    assert problems(app) == []
    assert not app.error
