"""Metadata inference on real documents: title, type, publisher and published date."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load_document
from ingest.metadata import find_date, infer_metadata, looks_like_organisation
from ingest.parsed import ParsedDocument

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus-real"
LIMIT = 50 * 1024 * 1024
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not found at {CORPUS}")


def _infer(name: str) -> dict[str, str]:
    path = CORPUS / name
    return infer_metadata(load_document(path, max_bytes=LIMIT), path)


@needs_corpus
def test_kcsie_is_dfe_guidance() -> None:
    meta = _infer("dfe-keeping-children-safe-in-education-2024.pdf")
    assert meta["title"] == "Keeping children safe in education 2024"
    assert meta["doc_type"] == "guidance"
    assert meta["publisher"] == "Department for Education"
    assert meta["published"] == "2024-09-02"


@needs_corpus
def test_ofsted_focused_visit_letter_is_a_review() -> None:
    meta = _infer("ofsted-herefordshire-focused-visit-2020-01-21-peer-on-peer.pdf")
    assert meta["doc_type"] == "review"
    assert meta["publisher"] == "Ofsted"
    assert meta["published"] == "2020-01-21"
    assert meta["title"] == "Focused visit to Herefordshire local authority children’s services"


@needs_corpus
def test_kent_minutes() -> None:
    meta = _infer("kent-cc-county-council-minutes-2025-03-13.pdf")
    assert meta["doc_type"] == "minutes"
    assert meta["publisher"] == "Kent County Council"
    assert meta["published"] == "2025-03-13"


@needs_corpus
def test_html_framework_uses_its_updated_date() -> None:
    meta = _infer("ofsted-sccif-childrens-homes-2025.html")
    assert meta["doc_type"] == "guidance"
    assert meta["publisher"] == "Ofsted"
    assert meta["published"] == "2025-04-04"


def test_seed_statement_published_line() -> None:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip(f"no seed statements in {SHARED / 'seeds'}")
    meta = infer_metadata(load_document(seeds[0], max_bytes=LIMIT), seeds[0])
    assert meta["published"] == "2020-09-15"
    assert meta["title"].startswith("Herefordshire Council has released a statement")
    assert meta["doc_type"] == "statement"


def test_junk_title_falls_back_to_first_heading_line() -> None:
    parsed = ParsedDocument(source="r.pdf", pages=["MASH review report\nThe MASH was reviewed."],
                            paged=True, metadata={"title": "Microsoft Word - draft v3.docx"})
    meta = infer_metadata(parsed, Path("marshfield_mash_2019.pdf"))
    assert meta["title"] == "MASH review report"
    assert meta["doc_type"] == "review"
    assert meta["year"] == "2019" and "published" not in meta


def test_title_falls_back_to_file_stem() -> None:
    parsed = ParsedDocument(source="x.txt", pages=["12"], paged=False)
    assert infer_metadata(parsed, Path("child-protection_notes.txt"))["title"] == "Child protection notes"


def test_labelled_date_beats_earlier_plain_date() -> None:
    parsed = ParsedDocument(source="x.txt", pages=["Since March 2019 the board met.\nDate: 12 March 2025\n"],
                            paged=False, metadata={"pdf_created": "2001-01-01"})
    assert infer_metadata(parsed, Path("x.txt"))["published"] == "2025-03-12"


@pytest.mark.parametrize(("text", "iso"), [
    ("Published: 15th September 2020", "2020-09-15"),
    ("Published 2 September 2024", "2024-09-02"),
    ("September 2023", "2023-09-01"),
    ("report of 2022-04-11", "2022-04-11"),
    ("on 11/04/2022 the panel", "2022-04-11"),
    ("31 February 2020", "2020-02-01"),  # impossible day: the month is still known
    ("the Children Act 1989", None),
])
def test_find_date_forms(text: str, iso: str | None) -> None:
    assert find_date(text) == iso


def test_organisation_names() -> None:
    assert looks_like_organisation("Department for Education")
    assert not looks_like_organisation("Jane Smith")
    assert not looks_like_organisation("Callie Mcmanus (Childrens Services)")
