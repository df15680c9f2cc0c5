"""Build the fictional sample corpus from ``corpus/sources/*.md`` into ``corpus/documents/``.

Run from the repository root as ``python -m corpus.build [--out DIR]`` or ``python corpus/build.py``.
Every output is reproducible: building twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository root importable so `corpus.*` resolves.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus.manifest import MANIFEST_NAME, render_manifest  # noqa: E402
from corpus.render_docx import render_docx  # noqa: E402
from corpus.render_pdf import render_pdf  # noqa: E402
from corpus.render_web import render_html, render_markdown  # noqa: E402
from corpus.source_document import SourceDocument, SourceFormatError, read_source  # noqa: E402

CORPUS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CORPUS_DIR / "sources"
DOCUMENTS_DIR = CORPUS_DIR / "documents"

RENDERERS: dict[str, Callable[[SourceDocument], bytes]] = {
    "pdf": render_pdf,
    "docx": render_docx,
    "html": render_html,
    "md": render_markdown,
}


def read_sources(sources_dir: Path = SOURCES_DIR) -> list[SourceDocument]:
    """Read every source file, sorted by name; raise SourceFormatError on duplicate doc_ids."""
    documents = [read_source(path) for path in sorted(sources_dir.glob("*.md"))]
    seen: set[str] = set()
    for document in documents:
        if document.meta.doc_id in seen:
            raise SourceFormatError(f"doc_id {document.meta.doc_id!r} is used by two source files")
        seen.add(document.meta.doc_id)
    return documents


def build(out_dir: Path = DOCUMENTS_DIR, sources_dir: Path = SOURCES_DIR) -> list[Path]:
    """Render every source into ``out_dir`` and write the manifest; return the paths written.

    Files in ``out_dir`` that no source produces are removed, so the folder matches the manifest.
    """
    documents = read_sources(sources_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for document in documents:
        target = out_dir / document.meta.file_name
        target.write_bytes(RENDERERS[document.meta.format](document))
        written.append(target)
    manifest = out_dir / MANIFEST_NAME
    manifest.write_bytes(render_manifest(d.meta for d in documents))
    written.append(manifest)
    for stale in set(out_dir.iterdir()) - set(written):
        if stale.is_file():
            stale.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the fictional Lessons sample corpus.")
    parser.add_argument("--out", type=Path, default=DOCUMENTS_DIR, help=f"output folder (default: {DOCUMENTS_DIR})")
    args = parser.parse_args(argv)
    try:
        written = build(args.out)
    except SourceFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"built {len(written) - 1} documents and {MANIFEST_NAME} in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
