"""The Ask page: labelled, cited answers; citations that open the page highlighted; abstention; errors."""

from __future__ import annotations

import datetime as dt
import json

from tests.conftest import REPO
from tests.ui.app_pages.conftest import problems

QUESTIONS = {
    item["id"]: item
    for item in map(json.loads, (REPO / "corpus" / "evaluation" / "sample-questions.jsonl").read_text().splitlines())
}
PROCEDURE_TITLE = "Multi\\-agency procedure\\: responding to harmful sexual behaviour and sexual abuse between children"


def _ask(app, question: str):
    app.text_input(key="ask-question").input(question)
    return app.form_submit_button[0].click().run()


def test_the_answer_is_labelled_and_cited(open_app, app_settings):
    app = _ask(open_app(app_settings), QUESTIONS["s01"]["question"])
    assert problems(app) == [] and not app.error
    sentences = [m.value for m in app.markdown if "-badge[" in m.value]
    assert sentences and sentences[0].startswith(":red-badge[Required] ")
    assert "must report it to the police" in sentences[0].replace("\\", "") and sentences[0].endswith("**\\[1\\]**")
    sources = [m.value for m in app.markdown if m.value.startswith("**\\[")]
    assert sources[0].startswith(f"**\\[1\\] {PROCEDURE_TITLE}**") and "p\\. 2" in sources[0]
    assert any(c.value.startswith("Answered in ") for c in app.caption)


def test_a_citation_opens_its_page_with_the_quote_highlighted(open_app, app_settings):
    app = _ask(open_app(app_settings), QUESTIONS["s01"]["question"])
    assert not app.get("image")
    app.button(key="cite-1").click().run()
    assert problems(app) == []
    images = app.get("image")
    assert len(images) == 1
    assert images[0].captions[0].endswith("page 2\\: the quoted passage is highlighted\\.")
    download = app.get("download_button")[0]
    assert download.proto.label == "Download the original (mscp-harmful-sexual-behaviour-procedure-2021.pdf)"
    # The same button closes it again.
    app.button(key="cite-1").click().run()
    assert not app.get("image")


def test_a_question_the_documents_do_not_answer_gets_no_answer_but_the_nearest_passages(open_app, app_settings):
    item = QUESTIONS["s58"]
    assert not item["answerable"]
    app = _ask(open_app(app_settings), item["question"])
    assert problems(app) == []
    assert len(app.warning) == 1 and "do not clearly answer this question" in app.warning[0].value
    assert [s.value for s in app.main.subheader] == ["Nearest passages"]
    assert not any("-badge[" in m.value for m in app.markdown)
    app.button(key="near-1").click().run()
    assert problems(app) == [] and (app.get("image") or app.info)


def test_as_at_answers_from_the_edition_then_in_force(open_app, app_settings):
    item = QUESTIONS["s17"]
    app = open_app(app_settings)
    app.sidebar.date_input(key="ask-as-at").set_value(dt.date.fromisoformat(item["as_at"]))
    app = _ask(app, item["question"])
    assert problems(app) == []
    assert any("editions in force on 2024\\-03\\-01" in info.value for info in app.info)
    sources = [m.value for m in app.markdown if m.value.startswith("**\\[")]
    assert sources and "Marshfield Schools Safeguarding Guidance 2023" in sources[0]


def test_an_empty_question_gets_a_plain_message(open_app, app_settings):
    app = _ask(open_app(app_settings), "   ")
    assert problems(app) == []
    assert [e.value for e in app.error] == [
        "The question is empty\\: type a question\\, e\\.g\\. \\'what must a school do when \\.\\.\\.\\'\\."
    ]


def test_a_bad_setting_is_explained_not_thrown(open_app, app_settings):
    app = open_app(app_settings, LESSONS_TOP_K="ten")
    assert problems(app) == []
    assert len(app.error) == 1
    message = app.error[0].value.replace("\\", "")
    assert message.startswith("Setting top_k = 'ten' (from LESSONS_TOP_K) is not a valid int")
    # The question box still shows, so the page is not blank.
    assert app.text_input(key="ask-question") is not None


def test_an_unexpected_failure_shows_a_plain_message_and_no_traceback(open_app, app_settings, monkeypatch):
    from search.service import SearchService

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire at /secret/path")

    monkeypatch.setattr(SearchService, "ask", broken)
    app = _ask(open_app(app_settings), "what must the DSL do?")
    assert problems(app) == []
    assert len(app.error) == 1 and app.error[0].value.startswith("Something went wrong on our side")
    assert "secret" not in app.error[0].value
