"""Documents added through the app: a safe file name, a copy under ``data_dir/uploads``, and an ingest job.

An uploaded file's name comes from the user's computer and may hold anything: folders (``../``),
control characters, an extension Lessons cannot read. Only the last part of the name is kept,
cleaned to letters, digits and a little punctuation; the extension must be one Lessons reads.
A file is never overwritten by a different one of the same name: the new one gets ``-2``, ``-3``...
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.loaders import SUPPORTED_EXTENSIONS
from ingest.manifest import OVERRIDE_KEYS, _check_values
from ingest.report import FailedSource, IngestReport
from ingest.service import IngestService, ProgressCallback
from search.access import LOCAL_USER, User
from search.embedding import Embedder
from search.errors import DocumentError, JobTooLargeError, LessonsError, PermissionDeniedError
from search.settings import Settings

UPLOAD_FOLDER = "uploads"
"""Where uploaded files are kept, inside the data folder."""
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w .()+,-]+", re.UNICODE)
_RUNS = re.compile(r"([ ._-])[ ._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


class UploadError(LessonsError):
    """An uploaded file cannot be accepted (bad name, unsupported type, empty or too large)."""


def upload_folder(settings: Settings) -> Path:
    """The folder uploads are written to: ``data_dir/uploads``."""
    return settings.data_dir / UPLOAD_FOLDER


def safe_upload_name(name: str) -> str:
    """A file name that is safe to write into the uploads folder, from the name a browser sent.

    Keeps the last path component only, drops control characters, replaces anything but letters,
    digits, spaces and ``.()+,-_`` with ``-``, never starts with a dot, and keeps the extension.
    Raises UploadError naming the file when the extension is not one Lessons reads or no name is left.
    """
    shown = repr(name[:80])
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(char for char in base if not unicodedata.category(char).startswith("C"))
    stem, dot, extension = base.rpartition(".")
    extension = f".{extension.lower()}" if dot else ""
    if extension not in SUPPORTED_EXTENSIONS:
        shown_ext = f"'{extension}'" if extension else "no extension"
        raise UploadError(
            f"{shown} has {shown_ext}: Lessons reads {', '.join(SUPPORTED_EXTENSIONS)} files; "
            "save the document in one of these formats and upload it again"
        )
    stem = _RUNS.sub(r"\1", _UNSAFE.sub("-", stem)).strip(" .-_")
    stem = stem[: MAX_NAME_CHARS - len(extension)].rstrip(" .-_")
    if not stem:
        raise UploadError(f"{shown} has no usable file name: rename the file (letters and digits) and upload it again")
    if stem.lower() in _RESERVED:
        stem = f"{stem}-document"
    return stem + extension


def save_upload(settings: Settings, name: str, content: bytes) -> Path:
    """Write an uploaded file into the uploads folder under a safe name; returns its path.

    A file with the same name and the same bytes is reused; one with other bytes is kept and the
    new file gets a numbered name. Raises UploadError for a bad name, an empty file or one over
    the ``max_file_mb`` setting.
    """
    safe = safe_upload_name(name)
    if not content:
        raise UploadError(f"{safe} is empty: check the file opens on your computer and upload it again")
    if len(content) > settings.max_file_bytes:
        raise UploadError(
            f"{safe} is {len(content) / 1024 / 1024:.1f} MB, over the {settings.max_file_mb:g} MB limit: "
            "upload a smaller file, or raise the max_file_mb setting (LESSONS_MAX_FILE_MB)"
        )
    folder = upload_folder(settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stem, extension = os.path.splitext(safe)
        target = folder / safe
        number = 1
        while target.exists():
            if target.is_file() and target.read_bytes() == content:
                return target
            number += 1
            target = folder / f"{stem}-{number}{extension}"
        # Written under a hidden name first (ingest skips hidden files), then renamed in one step.
        partial = folder / f".{target.name}.part"
        partial.write_bytes(content)
        os.replace(partial, target)
    except OSError as exc:
        raise UploadError(
            f"cannot save {safe} in {folder} ({exc.strerror}): check the data folder is writable "
            "(setting data_dir, LESSONS_DATA_DIR)"
        ) from None
    return target


def ingest_uploads(
    settings: Settings,
    files: Sequence[tuple[str, bytes]],
    *,
    metadata: Mapping[str, str] | None = None,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
    user: User = LOCAL_USER,
) -> IngestReport:
    """Save uploaded files and index them in one job.

    Parameters:
        settings: the Settings in force (the store and the uploads folder are in ``data_dir``).
        files: (name as sent by the browser, bytes) for each file.
        metadata: overrides applied to every file (keys of a manifest entry, e.g. ``doc_type``,
            ``publisher``, ``published``); empty values are ignored.
        embedder: a loaded model to share (e.g. the app's), else one is loaded.
        progress: called after each file is indexed.
        user: who uploads; only contributors and admins may, at an access level they can read.

    Returns the IngestReport; a file refused here (bad name, empty, too large) is listed in
    ``failed`` with its reason and the others are still indexed. Raises UploadError for metadata
    that a manifest would refuse (unknown key, unknown type, a date that is not YYYY-MM-DD; a title
    for more than one file) and StoreLockedError when another job is writing.
    """
    user.require_contributor()
    if len(files) > settings.max_files_per_job:
        raise JobTooLargeError(
            f"{len(files)} files were uploaded at once, over the limit of {settings.max_files_per_job} "
            "(setting max_files_per_job): upload them in parts"
        )
    overrides = _checked_metadata(metadata, single=len(files) == 1)
    access = overrides.get("access", settings.default_access)
    if not user.can_read(access):
        raise PermissionDeniedError(
            f"{user.name} may read up to {user.clearance} and so may not add {access} documents: choose a lower level"
        )
    saved: list[Path] = []
    refused: list[FailedSource] = []
    for name, content in files:
        try:
            path = save_upload(settings, name, content)
        except UploadError as exc:
            refused.append(FailedSource(name, str(exc)))
            continue
        if path not in saved:
            saved.append(path)
    report = IngestReport()
    if saved:
        per_file = {path.resolve(): dict(overrides) for path in saved} if overrides else None
        report = IngestService(settings, embedder=embedder, user=user).ingest(
            saved, progress=progress, metadata=per_file
        )
    report.failed = refused + report.failed
    return report


def _checked_metadata(metadata: Mapping[str, str] | None, *, single: bool) -> dict[str, str]:
    """The non-empty overrides, checked as a manifest entry is; a title only for a single file."""
    overrides = {key: value.strip() for key, value in (metadata or {}).items() if value and value.strip()}
    allowed = tuple(key for key in OVERRIDE_KEYS if key != "doc_id" and (single or key != "title"))
    try:
        return _check_values(Path(UPLOAD_FOLDER), "the upload form", overrides, allowed)
    except DocumentError as exc:
        raise UploadError(exc.reason) from None
