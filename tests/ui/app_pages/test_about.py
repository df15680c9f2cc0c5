"""The About page: what is indexed, when, how answers are made and what the labels mean."""

from __future__ import annotations

from tests.ui.app_pages.conftest import problems


def test_about_says_what_is_indexed_and_what_the_labels_mean(open_app, app_settings):
    app = open_app(app_settings, "about")
    assert problems(app) == [] and not app.error
    text = "\n".join(m.value for m in app.markdown)
    assert "17 documents \\(" in text and "3 guidance" in text
    assert "Last updated\\: 20" in text
    for label in ("Required", "Expected", "Finding", "Recommendation"):
        assert f"-badge[{label}]" in text
    assert "sentences quoted word for word" in text
