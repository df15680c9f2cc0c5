"""The sample corpus is big and varied enough to exercise Lessons, and is marked fictional throughout."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pypdf

from corpus.source_document import DOC_TYPES, FICTIONAL_FOOTER, FICTIONAL_MARKER
from tests.corpus.document_text import pdf_pages, whole_text

REVIEW_2020 = "marshfield-mash-peer-on-peer-review-2020"


def _path(documents_dir: Path, entry: dict) -> Path:
    return documents_dir / entry["file"]


def test_at_least_13_documents_in_four_formats(manifest: dict) -> None:
    files = [entry["file"] for entry in manifest["documents"]]
    assert len(files) >= 13
    assert {name.rsplit(".", 1)[1] for name in files} == {"pdf", "docx", "html", "md"}


def test_at_least_70_pdf_pages(documents_dir: Path) -> None:
    pages = sum(len(pypdf.PdfReader(p).pages) for p in documents_dir.glob("*.pdf"))
    assert pages >= 70


def test_every_document_type_is_present(manifest: dict) -> None:
    assert {entry["doc_type"] for entry in manifest["documents"]} == set(DOC_TYPES)


def test_every_pdf_page_says_it_is_fictional(documents_dir: Path) -> None:
    for path in documents_dir.glob("*.pdf"):
        pages = pdf_pages(path)
        assert FICTIONAL_MARKER in pages[0], path.name
        for number, text in enumerate(pages, start=1):
            assert FICTIONAL_FOOTER in text, f"{path.name} page {number}"


def test_every_other_document_says_it_is_fictional(manifest: dict, documents_dir: Path) -> None:
    for entry in manifest["documents"]:
        text = whole_text(_path(documents_dir, entry))
        assert FICTIONAL_MARKER in text[:600], entry["file"]


def test_pdf_pages_carry_substantive_text(documents_dir: Path) -> None:
    for path in documents_dir.glob("*.pdf"):
        words = [len(text.split()) for text in pdf_pages(path)]
        assert sum(words) / len(words) >= 250, path.name


def test_pdf_metadata_is_set(manifest: dict, documents_dir: Path) -> None:
    for entry in manifest["documents"]:
        if entry["file"].endswith(".pdf"):
            metadata = pypdf.PdfReader(_path(documents_dir, entry)).metadata
            assert metadata.title == entry["title"]
            assert metadata.author
            assert metadata["/CreationDate"].startswith("D:" + entry["published"].replace("-", ""))


def test_review_recommendations_are_numbered_one_to_ten(documents_dir: Path) -> None:
    text = whole_text(documents_dir / f"{REVIEW_2020}.pdf")
    numbers = [int(n) for n in re.findall(r"(?<![\w(])Recommendation (\d+): ", text)]
    assert numbers == list(range(1, 11))


def test_review_repeats_a_2016_recommendation(documents_dir: Path) -> None:
    review = whole_text(documents_dir / f"{REVIEW_2020}.pdf")
    audit = whole_text(documents_dir / "marshfield-lscb-mash-audit-2016.pdf")
    assert "repeats, in stronger terms, Recommendation 3 of the 2016 LSCB audit" in review
    assert "Recommendation 3: The MASH should ensure that the reason for every threshold decision" in audit


def test_later_minutes_report_recommendation_status(documents_dir: Path) -> None:
    minutes = whole_text(documents_dir / "marshfield-scrutiny-minutes-2021-11-17.docx")
    for status in ("implemented", "in progress", "partly accepted", "not accepted"):
        assert status in minutes


def test_2024_guidance_changes_duties_of_the_2023_edition(documents_dir: Path) -> None:
    old = whole_text(documents_dir / "marshfield-schools-safeguarding-guidance-2023.pdf")
    new = whole_text(documents_dir / "marshfield-schools-safeguarding-guidance-2024.pdf")
    assert "19. The DSL must undertake DSL training" in old and "19. The DSL must undertake DSL training" in new
    assert "refresher training at least every two years" in old
    assert "refresher training at least annually" in new
    assert "for 10 consecutive school days" in old and "for 5 consecutive school days" in new


def test_docx_uses_real_heading_styles(documents_dir: Path) -> None:
    for path in documents_dir.glob("*.docx"):
        styles = {p.style.name for p in docx.Document(str(path)).paragraphs}
        assert {"Heading 1", "Heading 2"} <= styles, path.name


def test_html_statement_has_page_furniture_a_loader_must_handle(documents_dir: Path) -> None:
    html = (documents_dir / "marshfield-statement-mash-review-2020.html").read_text(encoding="utf-8")
    for fragment in (
        "<title>",
        '<meta name="author"',
        '<meta name="description"',
        '<meta name="dcterms.date" content="2020-08-27"',
        "<nav",
        "<main",
        "<h1>",
        "<h2>",
        "<script>",
        "<style>",
    ):
        assert fragment in html
    assert "cookieBannerText" not in whole_text(documents_dir / "marshfield-statement-mash-review-2020.html")
