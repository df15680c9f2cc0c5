"""Loaders: real files load with the right text, pages and titles; bad files fail with a reason."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from ingest.loaders import load_document
from search.errors import DocumentError

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus-real"
LIMIT = 50 * 1024 * 1024
SMALL_PDF = CORPUS / "ofsted-herefordshire-focused-visit-2019-02-14.pdf"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}")


def _reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as caught:
        load_document(path, max_bytes=kwargs.pop("max_bytes", LIMIT), **kwargs)
    assert caught.value.source == str(path)
    return caught.value.reason


def test_zero_byte_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert "empty file (0 bytes)" in _reason(empty)


def test_oversize_file_names_the_setting(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 100)
    reason = _reason(big, max_bytes=100)
    assert "over the 100 bytes limit (setting max_file_mb)" in reason


def test_unsupported_extension_lists_supported_types(tmp_path: Path) -> None:
    sheet = tmp_path / "figures.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    reason = _reason(sheet)
    assert reason.startswith("unsupported file type '.xlsx': supported are .pdf, .docx")


@needs_corpus
def test_truncated_pdf_is_reported_as_corrupt(tmp_path: Path) -> None:
    data = SMALL_PDF.read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    reason = _reason(truncated)
    assert reason.startswith("corrupt or truncated PDF (pypdf: ")
    assert "re-download or re-export" in reason


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    assert _reason(locked) == "encrypted PDF: remove the password and ingest again"


def test_pdf_with_empty_user_password_is_opened(tmp_path: Path) -> None:
    # Opens (then fails only for lack of text), proving decrypt("") was used.
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="", owner_password="owner")
    opened = tmp_path / "owner-only.pdf"
    writer.write(opened)
    assert "no extractable text" in _reason(opened)


def test_pdf_without_text_layer_asks_for_ocr(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    scanned = tmp_path / "scanned.pdf"
    writer.write(scanned)
    assert "no extractable text, probably scanned: run OCR" in _reason(scanned)


@needs_corpus
def test_pdf_over_page_limit_is_refused() -> None:
    assert "PDF has 5 pages, over the 2-page limit (setting max_pages)" in _reason(SMALL_PDF, max_pages=2)


def test_docx_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("this is not a Word file")
    assert "corrupt DOCX (not a zip archive)" in _reason(fake)


def test_zip_without_document_xml_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "other.docx"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "no word/document.xml" in _reason(fake)


def test_docx_that_expands_hugely_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * 2_000_000)
    assert "refusing a possible zip bomb" in _reason(bomb, max_bytes=50_000)


def test_binary_text_file_is_undecodable(tmp_path: Path) -> None:
    binary = tmp_path / "notes.txt"
    binary.write_bytes(b"abc\x00\x01\x02\xff\xfe")
    assert _reason(binary).startswith("undecodable text")


def test_bytes_no_encoding_explains_are_undecodable(tmp_path: Path) -> None:
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"caf\xc3 \x81\x8d\x90 text")  # invalid UTF-8, undefined in cp1252
    assert _reason(odd).startswith("undecodable text")


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Caf\u00e9 \u2013 the child\u2019s plan".encode("cp1252"))
    parsed = load_document(legacy, max_bytes=LIMIT)
    assert parsed.pages == ["Caf\u00e9 \u2013 the child\u2019s plan"]


def test_html_of_only_scripts_has_no_main_text(tmp_path: Path) -> None:
    page = tmp_path / "app.html"
    page.write_text("<html><head><script>var a=1;</script></head><body><nav>Home</nav>"
                    "<script>document.write('x')</script><noscript>enable JS</noscript></body></html>")
    assert "HTML has no main text" in _reason(page)


def test_html_headings_main_and_meta(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><title>Report a concern - Marshfield Council</title>'
        '<meta name="author" content="Marshfield County Council">'
        '<meta name="dcterms.date" content="2024-05-02"></head><body>'
        "<header>Site header</header><main><h1>Report a concern</h1><p>Call 999 now.</p>"
        "<h2>Out of hours</h2><p>Ring the duty team.</p><script>x()</script></main>"
        "<footer>Cookies</footer></body></html>"
    )
    parsed = load_document(page, max_bytes=LIMIT)
    assert parsed.pages == ["Report a concern\nCall 999 now.\nOut of hours\nRing the duty team."]
    assert [(h.text, h.level) for h in parsed.headings] == [("Report a concern", 1), ("Out of hours", 2)]
    text = parsed.pages[0]
    assert all(text[h.char_start:h.char_end] == h.text for h in parsed.headings)
    assert parsed.metadata == {"title": "Report a concern - Marshfield Council",
                               "publisher": "Marshfield County Council", "published": "2024-05-02"}


def test_markdown_headings_and_front_matter(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: MASH review\ndate: 2020-08-27\n---\n# Findings\nThe MASH was slow.\n"
                    "## Delay\nReferrals waited.\n```\n# not a heading\n```\n")
    parsed = load_document(note, max_bytes=LIMIT)
    text = parsed.pages[0]
    assert text.startswith("Findings\nThe MASH was slow.\nDelay\n")
    assert [(h.text, h.level) for h in parsed.headings] == [("Findings", 1), ("Delay", 2)]
    assert all(text[h.char_start:h.char_end] == h.text for h in parsed.headings)
    assert parsed.metadata == {"title": "MASH review", "published": "2020-08-27"}


def test_docx_headings_and_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Risk assessment", level=1)
    document.add_paragraph("Complete every section.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Risk", "Level"
    table.cell(1, 0).text, table.cell(1, 1).text = "Missing", "High"
    document.core_properties.title = "CERAF tool"
    path = tmp_path / "tool.docx"
    document.save(str(path))
    parsed = load_document(path, max_bytes=LIMIT)
    assert parsed.pages == ["Risk assessment\nComplete every section.\nRisk | Level\nMissing | High"]
    assert parsed.paged is False and parsed.page_count is None
    assert [(h.text, h.level) for h in parsed.headings] == [("Risk assessment", 1)]
    assert parsed.metadata["title"] == "CERAF tool"


@needs_corpus
def test_real_pdf_page_count_and_title() -> None:
    parsed = load_document(CORPUS / "dfe-working-together-to-safeguard-children-2023.pdf", max_bytes=LIMIT)
    assert parsed.page_count == 168 and parsed.paged
    assert parsed.metadata["title"] == "Working together to safeguard children 2023: statutory guidance"
    assert parsed.metadata["publisher"] == "Department for Education"
    assert parsed.metadata["pdf_created"] == "2025-06-04"
    assert "  " not in parsed.pages[20]  # runs of spaces collapsed


@needs_corpus
def test_real_docx_html_and_txt_load() -> None:
    tool = load_document(CORPUS / "northamptonshire-ceraf-tool-2023.docx", max_bytes=LIMIT)
    assert "Northamptonshire CERAF" in tool.pages[0] and " | " in tool.pages[0]
    sccif = load_document(CORPUS / "ofsted-sccif-childrens-homes-2025.html", max_bytes=LIMIT)
    assert sccif.metadata["title"] == "Social care common inspection framework (SCCIF): children’s homes"
    assert sccif.metadata["publisher"] == "Ofsted"
    assert len(sccif.headings) > 50 and "function(" not in sccif.pages[0]
    banes = load_document(CORPUS / "banes-council-report-a-concern-about-a-child-webpage-2025.txt", max_bytes=LIMIT)
    assert len(banes.pages) == 1 and "Call 999 if a child" in banes.pages[0]
