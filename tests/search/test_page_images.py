"""Cited pages: PDF pages drawn with the quote highlighted in the right place, text in context otherwise."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from ingest.loaders import load_pdf
from search.errors import DocumentNotFoundError
from search.page_images import (
    RENDER_SCALE,
    PageImage,
    PageImageUnavailable,
    match_quote,
    original_source,
    passage_in_context,
    pdf_path_for,
    render_pdf_page,
)
from search.service import SearchService
from tests.conftest import SAMPLE_CORPUS, require_corpus_real

PROCEDURE = SAMPLE_CORPUS / "mscp-harmful-sexual-behaviour-procedure-2021.pdf"
QUOTE_3_5 = (
    "3.5 Where a report includes an allegation of rape, assault by penetration or sexual assault, "
    "the DSL must report it to the police and must make a referral to the MASH."
)


def _text_under(path: Path, page: int, image: PageImage) -> str:
    """The PDF's own text inside the image's highlight boxes (converted back to PDF points)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        pdf_page = pdf[page - 1]
        height = pdf_page.get_height()
        textpage = pdf_page.get_textpage()
        pieces = []
        for box in image.boxes:
            pieces.append(
                textpage.get_text_bounded(
                    left=box.left / RENDER_SCALE,
                    bottom=height - box.bottom / RENDER_SCALE,
                    right=box.right / RENDER_SCALE,
                    top=height - box.top / RENDER_SCALE,
                )
            )
        return " ".join(" ".join(pieces).split())
    finally:
        pdf.close()


def _pixel(image: PageImage, x: int, y: int) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(image.png)).convert("RGB").getpixel((x, y))


def test_the_quote_is_highlighted_where_it_is_on_the_page():
    image = render_pdf_page(PROCEDURE, 2, quote=QUOTE_3_5, doc_id="procedure")
    assert image.quote_found and image.coverage == 1.0
    assert Image.open(io.BytesIO(image.png)).size == (image.width, image.height)
    # A4 at 144 dpi: about 1191 x 1684 pixels.
    assert 1150 < image.width < 1250 and 1600 < image.height < 1750
    under = _text_under(PROCEDURE, 2, image)
    assert "allegation of rape" in under and "referral to the MASH" in under
    # Only the quote: paragraph 3.4 above it and 3.6 below it are not highlighted.
    assert "immediate risk" not in under and "thresholds guide" not in under
    # The highlight is drawn: a white margin pixel inside the first box has turned yellow.
    box = image.boxes[0]
    red, green, blue = _pixel(image, box.left + 1, box.top + 1)
    assert red > 200 and green > 170 and blue < 150


def test_without_a_quote_the_page_is_drawn_plain():
    image = render_pdf_page(PROCEDURE, 1)
    assert image.boxes == () and not image.quote_found
    assert image.png.startswith(b"\x89PNG")


def test_a_quote_not_on_the_page_is_reported_not_found():
    image = render_pdf_page(PROCEDURE, 1, quote=QUOTE_3_5)
    assert not image.quote_found and image.coverage < 0.6


def test_a_page_beyond_the_end_is_refused_with_the_page_count():
    with pytest.raises(PageImageUnavailable, match="has no page 99 \\(it has 6\\)"):
        render_pdf_page(PROCEDURE, 99)


def test_a_file_that_is_not_a_pdf_is_refused_in_words(tmp_path):
    fake = tmp_path / "broken.pdf"
    fake.write_bytes(b"this is not a PDF at all")
    with pytest.raises(PageImageUnavailable, match="broken.pdf cannot be opened as a PDF"):
        render_pdf_page(fake, 1)


def test_quotes_match_across_line_breaks_hyphens_and_ligatures():
    page = "The DSL must re-\nport it to the po-\nlice and ﬁle a record.\nOther text."
    ranges, coverage = match_quote(page, "The DSL must report it to the police and file a record.")
    assert coverage == 1.0
    assert [page[start:end] for start, end in ranges] == ["The DSL must re-\nport it to the po-\nlice and ﬁle a record"]


def test_a_quote_running_onto_the_next_page_is_found_in_part():
    page = "Intro. " + "The first part of the passage is on this page and continues"
    quote = "The first part of the passage is on this page and continues over the page break into text not here at all"
    ranges, coverage = match_quote(page, quote)
    assert ranges and 0.3 < coverage < 1.0
    assert page[ranges[0][0] :].startswith("The first part")


def test_an_absent_quote_matches_nothing():
    assert match_quote("Some page text about MASH referrals.", "nothing like it whatsoever here") == ([], 0.0)
    assert match_quote("", "anything") == ([], 0.0)


def test_quotes_from_real_public_pdfs_are_found_on_their_page_images():
    corpus = require_corpus_real()
    checked = 0
    for name in (
        "dfe-information-sharing-advice-2024.pdf",
        "ofsted-herefordshire-focused-visit-2020-01-21-peer-on-peer.pdf",
        "lambeth-scp-factsheet-parental-substance-use-2025.pdf",
    ):
        path = corpus / name
        parsed = load_pdf(path)
        page = next(i for i, text in enumerate(parsed.pages, start=1) if i > 1 and len(text.split()) > 80)
        words = parsed.pages[page - 1].split()
        quote = " ".join(words[30:60])
        image = render_pdf_page(path, page, quote=quote)
        assert image.quote_found, (name, page, quote, image.coverage)
        under = _text_under(path, page, image)
        assert words[35].strip(".,;:()") in under, (name, page, words[35], under[:200])
        checked += 1
    assert checked == 3


# -- through the service, on the sample store ----------------------------------------------
def test_service_draws_a_cited_page(sample_settings):
    service = SearchService(sample_settings)
    image = service.page_image("mscp-harmful-sexual-behaviour-procedure-2021", 2, QUOTE_3_5)
    assert image.doc_id == "mscp-harmful-sexual-behaviour-procedure-2021" and image.page == 2
    assert image.quote_found


def test_service_refuses_pages_and_documents_that_do_not_exist(sample_settings):
    service = SearchService(sample_settings)
    with pytest.raises(DocumentNotFoundError, match="pages run from 1 to 6"):
        service.page_image("mscp-harmful-sexual-behaviour-procedure-2021", 7)
    with pytest.raises(DocumentNotFoundError, match="no document with id 'nope'"):
        service.page_image("nope", 1)


def test_documents_without_page_images_say_why_and_show_the_passage_in_context(sample_settings):
    service = SearchService(sample_settings)
    html = "marshfield-statement-mash-review-2020"
    with pytest.raises(PageImageUnavailable, match="is not a PDF \\(marshfield-statement-mash-review-2020.html\\)"):
        service.page_image(html, 1)
    text = service.page(html, 1).text
    sentence = next(s for s in text.split(". ") if len(s) > 60)
    context = service.page_context(html, 1, quote=sentence)
    assert context.found
    assert " ".join(context.passage.split()) == " ".join(sentence.split())
    assert (context.before + context.passage + context.after).replace("… ", "").replace(" …", "") in text


def test_a_pdf_whose_file_has_gone_is_refused_naming_the_path(sample_settings, tmp_path):
    record = SearchService(sample_settings).document("mscp-mash-reaudit-2022")
    moved = replace(record, source=str(tmp_path / "gone" / "mscp-mash-reaudit-2022.pdf"))
    with pytest.raises(PageImageUnavailable, match="is no longer at .*gone/mscp-mash-reaudit-2022.pdf"):
        pdf_path_for(moved)
    assert original_source(moved, 3).path is None and not original_source(moved, 3).available


def test_original_sources_link_to_the_page():
    from search.models import DocumentRecord

    local = DocumentRecord(
        doc_id="p", title="P", doc_type="procedure", source=str(PROCEDURE), content_hash="x", pages=6
    )
    found = original_source(local, 2)
    assert found.path == PROCEDURE and found.file_uri.endswith(".pdf#page=2") and found.media_type == "application/pdf"
    web = replace(local, source="https://example.org/docs/guide.pdf")
    assert original_source(web, 4).url == "https://example.org/docs/guide.pdf#page=4"
    page_less = replace(local, source="https://example.org/page.html", pages=None)
    assert original_source(page_less, 1).url == "https://example.org/page.html"


def test_passage_in_context_uses_offsets_and_falls_back_to_the_quote():
    page = "Before words here. " * 60 + "THE PASSAGE ITSELF." + " After words there." * 60
    start = page.index("THE PASSAGE")
    context = passage_in_context(page, doc_id="d", page=1, char_start=start, char_end=start + 19, context_chars=100)
    assert context.found and context.passage == "THE PASSAGE ITSELF."
    assert context.before.startswith("… ") and len(context.before) <= 103
    assert context.after.endswith(" …") and len(context.after) <= 103
    # Offsets that do not hold the quote are not trusted: the quote is looked for instead.
    moved = passage_in_context(page, doc_id="d", page=1, quote="the passage itself", char_start=0, char_end=19)
    assert moved.found and moved.passage == "THE PASSAGE ITSELF"
    missing = passage_in_context(page, doc_id="d", page=1, quote="words that are nowhere")
    assert not missing.found and missing.passage == "" and missing.before.startswith("Before words")
