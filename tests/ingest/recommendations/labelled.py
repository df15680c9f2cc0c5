"""Reading a hand-labelled list of recommendations and scoring extraction against it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ingest.components import SourceConverter, slug
from ingest.manifest import find_overrides
from ingest.recommendations.components import RecommendationExtractor
from search.models import DocumentRecord
from search.recommendations.models import ExtractedRecommendation
from search.recommendations.verbatim import quote_on_pages, searchable

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Label:
    doc_id: str
    page: int
    number: str
    quote: str


@dataclass(frozen=True)
class Scores:
    true_positives: int
    extracted: int
    labelled: int
    missed: list[Label]
    spurious: list[tuple[str, ExtractedRecommendation]]

    @property
    def precision(self) -> float:
        return self.true_positives / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0


def read_labels(name: str) -> tuple[list[Label], list[dict[str, str]]]:
    table = tomllib.loads((HERE / name).read_text(encoding="utf-8"))
    labels = [Label(e["doc_id"], e["page"], e["number"], e["quote"]) for e in table["recommendation"]]
    return labels, table.get("not_recommendation", [])


def extract_file(path: Path, root: Path) -> tuple[DocumentRecord, list[str], list[ExtractedRecommendation]]:
    """Read a file as ingest does (the real converter, manifest overrides) and extract its recommendations."""
    overrides = find_overrides(path, root=root)
    converted = SourceConverter(max_bytes=100 * 1024 * 1024, max_pages=5000).run(path=str(path), overrides=overrides)
    parsed, metadata = converted["parsed"], converted["metadata"]
    document = DocumentRecord(
        doc_id=str(metadata.get("doc_id") or slug(path.stem)),
        title=str(metadata["title"]),
        doc_type=str(metadata["doc_type"]),
        source=str(path),
        content_hash="-",
        publisher=metadata.get("publisher"),
        published=metadata.get("published"),
        pages=parsed.page_count,
    )
    found = RecommendationExtractor().run(document=document, pages=parsed.pages)
    return document, parsed.pages, found["recommendations"]


def score(labels: list[Label], extracted: dict[str, list[ExtractedRecommendation]]) -> Scores:
    """Match labels to records one to one (same document, same first page, record holds the quote)."""
    unmatched = {doc_id: list(records) for doc_id, records in extracted.items()}
    missed = []
    hits = 0
    for label in labels:
        quote = searchable(label.quote).lower()
        candidates = unmatched.get(label.doc_id, [])
        match = next((r for r in candidates if r.page == label.page and quote in searchable(r.text).lower()), None)
        if match is None:
            missed.append(label)
            continue
        candidates.remove(match)
        hits += 1
    spurious = [(doc_id, record) for doc_id, records in unmatched.items() for record in records]
    total = sum(len(records) for records in extracted.values())
    return Scores(hits, total, len(labels), missed, spurious)


Extraction = dict[str, tuple[list[str], list[ExtractedRecommendation]]]
"""What extraction found in a set of files: {doc_id: (page texts, records)}."""


def extract_files(paths: list[Path], root: Path) -> Extraction:
    """Read each file as ingest reads it and extract its recommendations."""
    found: Extraction = {}
    for path in paths:
        document, pages, records = extract_file(path, root)
        found[document.doc_id] = (pages, records)
    return found


def check_precision_and_recall(labels_file: str, extraction: Extraction, what: str) -> None:
    """Score ``extraction`` against a labelled list; print the figures and require both at least 0.9."""
    labels, _ = read_labels(labels_file)
    result = score(labels, {doc_id: records for doc_id, (_, records) in extraction.items()})
    print(
        f"\n{what}: precision {result.precision:.3f}, recall {result.recall:.3f} "
        f"({result.true_positives} of {result.labelled} labelled, {result.extracted} extracted)"
    )
    assert result.precision >= 0.9, [(doc, r.page, r.text[:60]) for doc, r in result.spurious]
    assert result.recall >= 0.9, result.missed


def check_verbatim(extraction: Extraction) -> None:
    """Every record's text occurs on its page (or runs from it to ``page_end``)."""
    for doc_id, (pages, records) in extraction.items():
        for record in records:
            assert quote_on_pages(record.text, pages, record.page, record.page_end), (doc_id, record.key)


def check_negatives(labels_file: str, extraction: Extraction) -> None:
    """No record contains a passage the labelled list names as not a recommendation."""
    _, negatives = read_labels(labels_file)
    for negative in negatives:
        _, records = extraction[negative["doc_id"]]
        quote = searchable(negative["quote"]).lower()
        assert not [r.key for r in records if quote in searchable(r.text).lower()], negative["why"]
