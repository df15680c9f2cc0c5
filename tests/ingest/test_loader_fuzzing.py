"""Fuzzing the loaders (bounded): whatever the bytes, a loader returns a document or raises
DocumentError naming the file, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.loaders import load_document
from search.errors import DocumentError
from tests.conftest import SAMPLE_CORPUS

SEEDS = {
    ".pdf": (SAMPLE_CORPUS / "mscp-mash-reaudit-2022.pdf").read_bytes(),
    ".docx": (SAMPLE_CORPUS / "marshfield-missing-children-procedure-2022.docx").read_bytes(),
    ".html": (SAMPLE_CORPUS / "marshfield-statement-mash-review-2020.html").read_bytes(),
    ".md": (SAMPLE_CORPUS / "mscp-practice-note-talking-with-children-hsb.md").read_bytes(),
}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def _load_outcome(extension: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{extension}"
        path.write_bytes(data)
        try:
            parsed = load_document(path, max_bytes=10 * 1024 * 1024, max_pages=200)
        except DocumentError as exc:
            assert exc.source == str(path)
            assert exc.reason and ": " in exc.reason  # says what failed and the fix
            return
        assert parsed.pages and any(page.strip() for page in parsed.pages)
        assert all("\x00" not in page for page in parsed.pages)


@st.composite
def _mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed file with a few bytes flipped, a slice cut out, or cut short."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data) - 1))
        del data[start : start + draw(st.integers(1, 2000))]
    if draw(st.booleans()):
        data = data[: draw(st.integers(1, len(data)))]
    return bytes(data)


@FUZZ
@given(extension=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_mutated_real_files_load_or_fail_cleanly(extension: str, data: st.DataObject) -> None:
    _load_outcome(extension, data.draw(_mutated(SEEDS[extension])))


@FUZZ
@given(extension=st.sampled_from([".pdf", ".docx", ".html", ".md", ".txt"]), data=st.binary(min_size=0, max_size=3000))
def test_random_bytes_load_or_fail_cleanly(extension: str, data: bytes) -> None:
    _load_outcome(extension, data)


@FUZZ
@given(text=st.text(min_size=1, max_size=3000))
def test_any_unicode_text_loads_or_fails_cleanly(text: str) -> None:
    _load_outcome(".txt", text.encode("utf-8", "surrogatepass"))
    _load_outcome(".html", text.encode("utf-8", "surrogatepass"))
