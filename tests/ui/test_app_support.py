"""Document text shown by the app is text: no HTML, links, emphasis, maths or Streamlit directives."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from ui.app_support import marked, paragraphs, plain, type_name, where

HOSTILE = [
    "<script>alert('x')</script> and <img src=x onerror=alert(1)>",
    "[click here](javascript:alert(1)) and ![img](http://example.org/a.png) <http://example.org>",
    "**bold** __bold__ *it* _it_ ~~gone~~ `code` ```fence```",
    "# Heading\n- item\n1. numbered\n> quote\n---",
    "Costs $5 and $10 in maths $x^2$; :red[red] :smile: :material/home: \\escaped\\",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "a & b &amp; c &lt; d",
]


def _rendered_text(markdown: str) -> tuple[str, str]:
    """The HTML CommonMark makes of ``markdown``, and its visible text."""
    rendered = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    return rendered, " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_exactly_those_characters(text):
    rendered, visible = _rendered_text(plain(text))
    assert visible == " ".join(text.split())
    assert re.findall(r"<(\w+)", rendered) == ["p"]  # one paragraph, nothing else: no script, a, img, strong...


def test_plain_leaves_no_streamlit_directive_or_maths_unescaped():
    escaped = plain("Costs $5 :red[danger] :smile:")
    assert "$" not in escaped.replace("\\$", "")
    assert ":" not in escaped.replace("\\:", "")
    assert "[" not in escaped.replace("\\[", "")


def test_marked_highlights_only_the_spans_and_escapes_the_rest():
    text = "The <b>MASH</b> must record [decisions](http://x)."
    start = text.index("record")
    result = marked(text, [(start, start + 6)])
    assert ":orange-background[**record**]" in result
    rendered, visible = _rendered_text(result.replace(":orange-background[", "").replace("**]", "**"))
    assert visible == text
    assert re.findall(r"<(\w+)", rendered) == ["p", "strong"]


def test_marked_keeps_spaces_around_highlights_and_ignores_bad_spans():
    assert marked("a record b", [(2, 8)]) == "a :orange-background[**record**] b"
    assert marked("abc", [(2, 1), (5, 9)]) == "abc"


def test_paragraphs_keep_their_breaks_and_stay_text():
    rendered, visible = _rendered_text(paragraphs("First <script>x</script>.\n\n# Second\nline"))
    assert rendered.count("<p>") == 2 and "<script" not in rendered and "<h1" not in rendered
    assert visible == "First <script>x</script>. # Second line"


def test_labels_for_readers():
    assert type_name("committee_paper") == "Committee paper" and type_name("new_kind") == "New kind"
    assert where(7, "3.5", "Immediate response") == "p. 7 · para 3.5 · Immediate response"
    assert where(None) == ""
