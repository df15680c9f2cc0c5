"""Load a PDF with pypdf: text page by page, plus what the PDF's info dictionary says."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pypdf
from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError

from ingest.loaders._common import normalise_text
from ingest.metadata import looks_like_organisation
from ingest.parsed import ParsedDocument
from search.errors import DocumentError

_CORRUPT_FIX = "re-download or re-export the file"


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's logger and warnings: damaged-but-readable files spam both."""
    logger = logging.getLogger("pypdf")
    previous = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(previous)


def _corrupt(path: Path, exc: BaseException) -> DocumentError:
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
    return DocumentError(
        str(path),
        f"corrupt or truncated PDF (pypdf: {type(exc).__name__}: {detail}): {_CORRUPT_FIX}",
    )


def _bomb(path: Path, page: int) -> DocumentError:
    return DocumentError(
        str(path),
        f"page {page} is a decompression bomb (its content expands past pypdf's safety limit): "
        "refusing the file; re-export it from the original",
    )


def _check_contents(page: pypdf.PageObject) -> None:
    """Decode a text-less page's content stream, so that a decompression bomb is named as one.

    pypdf stops inflating at its limit and returns no text; decoding here raises
    LimitReachedError for that case instead of reporting "probably scanned".
    """
    contents = page.get_contents()
    if contents is not None:
        contents.get_data()


def _open(path: Path) -> pypdf.PdfReader:
    """Open the reader and unlock files that only carry an empty user password."""
    try:
        reader = pypdf.PdfReader(path, strict=False)
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise _corrupt(path, exc) from exc
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except Exception as exc:  # e.g. an AES file without a crypto library installed
            raise DocumentError(
                str(path),
                f"encrypted PDF that cannot be opened ({type(exc).__name__}): remove the password and ingest again",
            ) from exc
        if not unlocked:
            raise DocumentError(str(path), "encrypted PDF: remove the password and ingest again")
    return reader


def _iso_date(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return None


def _info_metadata(reader: pypdf.PdfReader) -> dict[str, str]:
    """Title, publisher and creation date from the info dictionary, where usable."""
    metadata: dict[str, str] = {}
    try:
        info = reader.metadata
        if info is None:
            return metadata
        title = (info.title or "").strip()
        author = (info.author or "").strip()
        try:
            created = _iso_date(info.creation_date)
        except (ValueError, TypeError, PdfReadError):  # malformed dates are common, harmless
            created = None
    except (ValueError, TypeError, KeyError, AttributeError, PdfReadError):
        # a broken info dict must not stop the text from loading
        return metadata
    if title:
        metadata["title"] = " ".join(title.split())
    # Authors are often a person or "Microsoft Office User"; only organisations publish.
    if author and looks_like_organisation(author):
        metadata["publisher"] = " ".join(author.split())
    if created:
        metadata["pdf_created"] = created
    return metadata


def load_pdf(path: Path, *, max_pages: int = 5000) -> ParsedDocument:
    """Extract the text of each page of a PDF.

    Parameters: ``path`` the PDF file; ``max_pages`` the most pages accepted.
    Returns a paged ParsedDocument whose ``pages[i]`` is page ``i + 1`` (blank pages kept
    as ""), and metadata ``title``, ``publisher``, ``pdf_created`` where the PDF says them.
    Raises DocumentError for corrupt, encrypted, oversized or text-less PDFs.
    """
    with _quiet_pypdf():
        reader = _open(path)
        try:
            page_count = len(reader.pages)
        except FileNotDecryptedError as exc:
            raise DocumentError(str(path), "encrypted PDF: remove the password and ingest again") from exc
        except Exception as exc:
            raise _corrupt(path, exc) from exc
        if page_count == 0:
            raise DocumentError(str(path), f"PDF has no pages: {_CORRUPT_FIX}")
        if page_count > max_pages:
            raise DocumentError(
                str(path),
                f"PDF has {page_count} pages, over the {max_pages}-page limit (setting max_pages): "
                "raise the limit or split the file",
            )
        pages: list[str] = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                text = normalise_text(page.extract_text() or "")
                if not text.strip():
                    _check_contents(page)
            except LimitReachedError as exc:
                raise _bomb(path, number) from exc
            except Exception as exc:  # any failure inside a page means a damaged file
                raise _corrupt(path, exc) from exc
            pages.append(text)
        metadata = _info_metadata(reader)
    if not any(page.strip() for page in pages):
        raise DocumentError(
            str(path),
            "no extractable text, probably scanned: run OCR (e.g. ocrmypdf) and ingest the result",
        )
    return ParsedDocument(source=str(path), pages=pages, paged=True, metadata=metadata)
