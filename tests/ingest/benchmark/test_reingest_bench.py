"""The re-ingest benchmark on a small generated corpus: real documents, and figures that say what happened."""

from __future__ import annotations

from ingest.benchmark.reingest import reingest_figures, sample_paragraphs, write_corpus
from ingest.loaders import load_document
from tests.conftest import settings_for


def test_the_generated_corpus_is_seeded_and_each_document_readable(tmp_path):
    first = write_corpus(tmp_path / "a", 12, seed=3, pdf_share=0.5)
    again = write_corpus(tmp_path / "b", 12, seed=3, pdf_share=0.5)
    assert [p.name for p in first] == [p.name for p in again]
    assert [p.read_bytes() for p in first if p.suffix != ".pdf"] == [
        p.read_bytes() for p in again if p.suffix != ".pdf"
    ]
    assert {p.suffix for p in first} == {".pdf", ".md", ".txt"}
    paragraphs = set(sample_paragraphs())
    for path in first:
        parsed = load_document(path, max_bytes=10_000_000, max_pages=10)
        text = " ".join(parsed.pages)
        assert f"LSN-{int(path.stem.split('-')[1]):05d}" in text
        if path.suffix == ".pdf":
            assert 1 <= len(parsed.pages) <= 3
        else:
            assert any(paragraph in text for paragraph in paragraphs)


def test_reingest_figures_on_a_small_corpus(tmp_path, embedder):
    logged = []
    figures = reingest_figures(
        tmp_path,
        settings_for(tmp_path / "unused"),
        embedder,
        documents=12,
        runs=1,
        prefetch_documents=4,
        log=logged.append,
    )
    by_name = {figure.name: figure for figure in figures}
    unchanged = by_name["re-ingest 12 unchanged documents"]
    assert unchanged.note.startswith("12 unchanged, 0 written, 0 failed")
    assert "(trust_file_times = false: 12 unchanged, 0 written, 0 failed)" in unchanged.note
    assert 0 < unchanged.ours and 0 < unchanged.baseline
    assert by_name["re-ingest 12 touched documents"].note.startswith("new modification times, same bytes: 12 unchanged")
    assert by_name["re-ingest 12 unchanged documents, whole command"].ours > 0
    assert "0 failed" in by_name["first ingest of 12 small documents"].note
    parsing_ahead = by_name["ingest 4 small documents, parsing ahead"]
    assert parsing_ahead.ours > 0 and parsing_ahead.baseline > 0
    assert not list(tmp_path.glob("reingest-*")) and not list(tmp_path.glob("prefetch-*"))
