"""The hand-labelled search facts point at pages that really hold their evidence."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.corpus.document_text import normalise, pdf_pages, whole_text

FACTS = tomllib.loads((Path(__file__).parent / "expected_facts.toml").read_text(encoding="utf-8"))["facts"]


def test_there_are_enough_facts() -> None:
    assert len(FACTS) >= 15


@pytest.mark.parametrize("fact", FACTS, ids=[f["doc_id"] + ":" + f["evidence"][:30] for f in FACTS])
def test_evidence_is_on_the_labelled_page(fact: dict, documents_by_id: dict, documents_dir: Path) -> None:
    path = documents_dir / documents_by_id[fact["doc_id"]]["file"]
    evidence = normalise(fact["evidence"])
    if path.suffix == ".pdf":
        pages = pdf_pages(path)
        assert evidence in pages[fact["page"] - 1], f"not on page {fact['page']} of {path.name}"
    else:
        assert "page" not in fact
        assert evidence in whole_text(path)
