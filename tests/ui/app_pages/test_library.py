"""The Library page: documents with metadata, editions, counts; adding documents with a report."""

from __future__ import annotations

from tests.conftest import SAMPLE_CORPUS
from tests.ui.app_pages.conftest import problems
from tests.ui.conftest import HOSTILE_TITLE

NOTE = (
    "# Lantern Court respite unit: night staffing review\n\n"
    "The review found a single waking night worker on 14 of the 30 nights audited. The unit must roster "
    "two waking night staff whenever a child with complex health needs is staying.\n"
)


def test_the_library_lists_documents_editions_and_counts(open_app, app_settings):
    app = open_app(app_settings, "library")
    assert problems(app) == [] and not app.error
    assert app.metric[0].label == "Documents" and app.metric[0].value == "17"
    table = app.dataframe[0].value
    assert len(table) == 17
    review = table[table["Id"] == "marshfield-mash-peer-on-peer-review-2020"].iloc[0]
    assert (review["Type"], review["Publisher"], review["Published"], review["Pages"]) == (
        "Review",
        "Marshfield County Council",
        "2020-08-27",
        14,
    )
    superseded = table[table["Id"] == "marshfield-schools-safeguarding-guidance-2023"].iloc[0]
    assert superseded["Edition"] == "superseded"
    # Cells are text: the hostile note's title is there as it is written.
    assert HOSTILE_TITLE in set(table["Title"])
    editions = [m.value for m in app.markdown if m.value.startswith("**Marshfield Schools Safeguarding")]
    assert editions == [
        "**Marshfield Schools Safeguarding Guidance 2024**: 2024\\-09\\-02 \\(in force\\)\\, "
        "2023\\-09\\-01 \\(superseded\\)"
    ]
    assert len(app.get("vega_lite_chart")) == 2
    assert app.file_uploader(key="upload-files") is not None


def test_an_uploaded_document_is_reported_and_can_be_searched(open_app, writable_settings):
    app = open_app(writable_settings, "library")
    app.file_uploader(key="upload-files").set_value(
        [
            ("Lantern Court.md", NOTE.encode(), "text/markdown"),
            ("audit.pdf", (SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf").read_bytes(), "application/pdf"),
            ("empty.txt", b"", "text/plain"),
        ]
    )
    app.selectbox(key="upload-type").set_value("review")
    app.form_submit_button[0].click().run()
    assert problems(app) == [] and not app.error
    assert len(app.warning) == 1  # one file failed, so the report is a warning
    report = app.warning[0].value.replace("\\", "")
    assert report.startswith(
        "Ingestion report: 1 added, 1 updated, 0 unchanged, 0 removed, 1 failed"
    ) or report.startswith("Ingestion report: 2 added, 0 updated, 0 unchanged, 0 removed, 1 failed")
    lines = [m.value.replace("\\", "") for m in app.markdown if m.value.startswith("- ")]
    assert "- Added: Lantern Court.md" in lines
    assert any(line.startswith("- Not added: empty.txt: empty.txt is empty") for line in lines)
    assert app.metric[0].value == "19"
    app.switch_page("app_pages/search.py").run()
    app.text_input(key="search-query").input("waking night staff respite unit")
    app.form_submit_button[0].click().run()
    first = next(m.value for m in app.main.markdown if m.value.startswith("**1. "))
    assert first == "**1. Lantern Court respite unit\\: night staffing review**"
    assert next(c.value for c in app.main.caption if " · " in c.value).startswith("Review · ")


def test_uploads_can_be_turned_off(open_app, app_settings):
    app = open_app(app_settings, "library", LESSONS_UI_UPLOADS="false")
    assert problems(app) == []
    assert not app.file_uploader
    assert any(c.value == "Adding documents is turned off here (setting ui_uploads)." for c in app.caption)
