"""Turn a source file into a ParsedDocument, choosing the loader by file extension."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders._common import check_size
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_markdown, load_text
from ingest.parsed import ParsedDocument
from search.errors import DocumentError

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt")
"""File extensions ``load_document`` accepts, in the order error messages list them."""

__all__ = ["SUPPORTED_EXTENSIONS", "load_document", "load_docx", "load_html", "load_markdown", "load_pdf", "load_text"]


def load_document(path: Path, *, max_bytes: int, max_pages: int = 5000) -> ParsedDocument:
    """Load one source file into text pages, headings and format metadata.

    Parameters: ``path`` the file; ``max_bytes`` the largest file accepted (setting
    ``max_file_mb``); ``max_pages`` the most PDF pages accepted.
    Returns the ParsedDocument. Raises DocumentError, with a one-sentence reason naming the
    problem and the fix, for any file that cannot be loaded; no other exception escapes.
    """
    path = Path(path)
    extension = path.suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        shown = f"'{extension}'" if extension else "without an extension"
        raise DocumentError(
            str(path),
            f"unsupported file type {shown}: supported are {', '.join(SUPPORTED_EXTENSIONS)}",
        )
    check_size(path, max_bytes)
    try:
        parsed = _load(path, extension, max_bytes=max_bytes, max_pages=max_pages)
    except DocumentError:
        raise
    except OSError as exc:
        raise DocumentError(
            str(path), f"cannot read the file ({type(exc).__name__}: {exc}): check it exists and is readable"
        ) from exc
    except Exception as exc:  # a library failure we did not foresee is still one bad file
        raise DocumentError(
            str(path), f"unexpected {type(exc).__name__} while loading ({exc}): report this file to the maintainers"
        ) from exc
    if not any(page.strip() for page in parsed.pages):
        raise DocumentError(str(path), "no text in the file (only blank space): check it is the right file")
    return parsed


def _load(path: Path, extension: str, *, max_bytes: int, max_pages: int) -> ParsedDocument:
    if extension == ".pdf":
        return load_pdf(path, max_pages=max_pages)
    if extension == ".docx":
        return load_docx(path, max_bytes=max_bytes)
    if extension in (".html", ".htm"):
        return load_html(path)
    if extension in (".md", ".markdown"):
        return load_markdown(path)
    return load_text(path)
