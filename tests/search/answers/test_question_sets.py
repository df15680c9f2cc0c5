"""The evaluation question sets are well formed, and every expected fact is in a page the set names.

Two sets: ``corpus/evaluation/sample-questions.jsonl`` over the fictional sample corpus, and
``tests/search/answers/real-questions.jsonl`` over the real public documents in ``../shared/corpus-real``
(kept outside the repository). No model is loaded: each needed page is extracted once and cached.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import tomllib
import unicodedata
from pathlib import Path

import docx
import pypdf
import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[3]
SAMPLE_SET = REPO / "corpus" / "evaluation" / "sample-questions.jsonl"
SAMPLE_DOCUMENTS = REPO / "corpus" / "documents"
REAL_SET = Path(__file__).resolve().parent / "real-questions.jsonl"
CORPUS_REAL = Path(__file__).resolve().parents[4] / "shared" / "corpus-real"

KEYS = {"id", "question", "answerable", "relevant", "facts", "obligation", "kind", "as_at", "notes"}
REQUIRED_KEYS = KEYS - {"notes"}
OBLIGATIONS = {"must", "should", "may", None}
KINDS = {"requirement", "finding", "recommendation", "status", "fact"}
MINIMUM = {"sample": (45, 6), "real": (28, 5)}  # (questions, unanswerable questions)

# Curly quotes, dashes and odd spaces that PDF text uses where a fact is typed with plain ones.
_PLAIN = str.maketrans("\u2018\u2019\u201c\u201d\u2010\u2011\u2012\u2013\u2014\u2212\u00a0", "''\"\"------ ")


def normalise(text: str) -> str:
    """Case-folded text with plain quotes and hyphens and single spaces: how facts are matched."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).translate(_PLAIN)).strip().casefold()


def read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@functools.cache
def load(path: Path) -> list[dict]:
    """The questions that parse (a line that does not is reported by ``test_each_line_is_json``)."""
    questions = []
    for line in read_lines(path):
        try:
            questions.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return questions


def sample_documents() -> dict[str, Path]:
    """doc_id -> file, from the sample corpus manifest."""
    manifest = tomllib.loads((SAMPLE_DOCUMENTS / "lessons-manifest.toml").read_text(encoding="utf-8"))
    return {entry["doc_id"]: SAMPLE_DOCUMENTS / entry["file"] for entry in manifest["documents"]}


def real_documents() -> dict[str, Path]:
    """doc_id (the file name without its extension) -> file, in the shared real corpus."""
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real public documents are not at {CORPUS_REAL} (they sit beside the checkout in ../shared)")
    return {path.stem: path for path in CORPUS_REAL.iterdir() if path.is_file()}


SETS = {"sample": (SAMPLE_SET, sample_documents), "real": (REAL_SET, real_documents)}


@functools.cache
def _pdf(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(path)


@functools.cache
def page_text(path: Path, page: int | None) -> str:
    """The normalised text of one PDF page (1-based), or of a whole DOCX, HTML, Markdown or text file."""
    if path.suffix == ".pdf":
        pages = _pdf(path).pages
        # A missing page is reported by test_relevant_documents_and_pages_exist; here it just has no text.
        return normalise(pages[page - 1].extract_text() or "") if page and page <= len(pages) else ""
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        parts = [paragraph.text for paragraph in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return normalise("\n".join(parts))
    if path.suffix in (".html", ".htm"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for hidden in soup(["script", "style", "noscript"]):
            hidden.decompose()
        return normalise(soup.get_text(" "))
    return normalise(path.read_text(encoding="utf-8"))


def _ids(name: str) -> list[str]:
    return [str(q.get("id")) for q in load(SETS[name][0])]


def _question(name: str, question_id: str) -> dict:
    return next(q for q in load(SETS[name][0]) if str(q.get("id")) == question_id)


# -- shape of each set --------------------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_each_line_is_json(name: str) -> None:
    for number, line in enumerate(read_lines(SETS[name][0]), start=1):
        try:
            json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{name} line {number} is not JSON: {exc}")


@pytest.mark.parametrize("name", SETS)
def test_keys_and_types(name: str) -> None:
    problems = []
    for q in load(SETS[name][0]):
        qid = q.get("id")
        if not REQUIRED_KEYS <= q.keys() or not q.keys() <= KEYS:
            problems.append(f"{qid}: keys {sorted(q.keys())}")
            continue
        if not (isinstance(qid, str) and qid and isinstance(q["question"], str) and q["question"].strip()):
            problems.append(f"{qid}: id and question must be non-empty strings")
        if not isinstance(q["answerable"], bool):
            problems.append(f"{qid}: answerable must be true or false")
        if q["obligation"] not in OBLIGATIONS:
            problems.append(f"{qid}: obligation {q['obligation']!r}")
        if q["kind"] not in KINDS:
            problems.append(f"{qid}: kind {q['kind']!r}")
        if q["as_at"] is not None:
            try:
                dt.date.fromisoformat(q["as_at"])
            except (TypeError, ValueError):
                problems.append(f"{qid}: as_at {q['as_at']!r} is not YYYY-MM-DD")
        if not isinstance(q.get("notes", ""), str):
            problems.append(f"{qid}: notes must be a string")
        relevant, facts = q["relevant"], q["facts"]
        if not (isinstance(relevant, list) and isinstance(facts, list)):
            problems.append(f"{qid}: relevant and facts must be lists")
            continue
        for item in relevant:
            if not (
                isinstance(item, dict)
                and item.keys() == {"doc_id", "page"}
                and isinstance(item["doc_id"], str)
                and (item["page"] is None or (isinstance(item["page"], int) and item["page"] >= 1))
            ):
                problems.append(f"{qid}: relevant item {item!r}")
        if q["answerable"]:
            if not relevant or not 1 <= len(facts) <= 3:
                problems.append(f"{qid}: an answerable question needs relevant pages and 1-3 facts")
            for fact in facts:
                if not (isinstance(fact, str) and 2 <= len(fact.split()) <= 8):
                    problems.append(f"{qid}: fact {fact!r} should be a phrase of 2-8 words")
        elif relevant or facts:
            problems.append(f"{qid}: an unanswerable question has no relevant pages or facts")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SETS)
def test_ids_are_unique(name: str) -> None:
    ids = _ids(name)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("name", SETS)
def test_enough_questions(name: str) -> None:
    questions = load(SETS[name][0])
    least, least_unanswerable = MINIMUM[name]
    assert len(questions) >= least
    assert sum(not q.get("answerable", True) for q in questions) >= least_unanswerable


@pytest.mark.parametrize("name", SETS)
def test_each_as_at_question_has_a_latest_twin(name: str) -> None:
    """A question pinned to an older edition is also asked without a date (answered by the latest)."""
    questions = load(SETS[name][0])
    undated = {q["question"] for q in questions if q.get("as_at") is None}
    dated = [q for q in questions if q.get("as_at") is not None]
    assert dated, "the set should test at least one older edition"
    assert [q["id"] for q in dated if q["question"] not in undated] == []


# -- the documents and pages named ----------------------------------------------------------


@pytest.mark.parametrize("name", SETS)
def test_relevant_documents_and_pages_exist(name: str) -> None:
    documents = SETS[name][1]()
    problems = []
    for q in load(SETS[name][0]):
        for item in q.get("relevant", []):
            path = documents.get(item["doc_id"])
            if path is None:
                problems.append(f"{q['id']}: no document {item['doc_id']!r}")
            elif path.suffix == ".pdf":
                if item["page"] is None or item["page"] > len(_pdf(path).pages):
                    problems.append(f"{q['id']}: {item['doc_id']} has no page {item['page']!r}")
            elif item["page"] is not None:
                problems.append(f"{q['id']}: {item['doc_id']} is not paged; page must be null")
    assert not problems, "\n".join(problems)


def _fact_cases() -> list:
    return [pytest.param(name, qid, id=f"{name}-{qid}") for name in SETS for qid in _ids(name)]


@pytest.mark.parametrize(("name", "question_id"), _fact_cases())
def test_every_fact_is_on_a_relevant_page(name: str, question_id: str) -> None:
    documents = SETS[name][1]()
    question = _question(name, question_id)
    pages = [(item["doc_id"], item["page"]) for item in question.get("relevant", []) if item.get("doc_id") in documents]
    texts = [page_text(documents[doc_id], page) for doc_id, page in pages]
    missing = [fact for fact in question.get("facts", []) if not any(normalise(fact) in text for text in texts)]
    assert not missing, f"{question_id}: not found on {pages}: {missing}"
