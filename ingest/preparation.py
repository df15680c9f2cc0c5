"""The reading side of an ingestion job: decide whether each file changed, and parse the ones that did.

For each file: its metadata overrides, its stat; if its stamp (see ``ingest.file_stamps``) and the
store agree, it is unchanged without being read; otherwise its bytes are hashed, and a file whose
fingerprint the store does not hold is parsed into text, metadata and passages. None of this
touches the store or the model, so it can run ahead of the job in a background thread.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Generator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from haystack.core.errors import PipelineRuntimeError

from ingest.components import fingerprint, fingerprint_context, slug
from ingest.file_stamps import FileStamp, FileStamps, trustworthy
from ingest.manifest import find_overrides
from ingest.parsed import ParsedDocument
from ingest.pipeline import build_parsing_pipeline
from ingest.report import FailedSource
from search.errors import DocumentError, LessonsError
from search.models import ChunkRecord, DocumentRecord
from search.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ParsedFile:
    """A file's text, metadata and passages; ``doc_id`` is the id the passages were cut for."""

    parsed: ParsedDocument
    metadata: dict[str, str]
    chunks: list[ChunkRecord]
    doc_id: str


@dataclass
class PreparedFile:
    """One file made ready for the writing side of the job.

    Exactly one of these holds: ``error`` (a problem that stops the job), ``failure`` (this file
    cannot be indexed, and why), ``unchanged`` (the store holds ``content_hash`` for ``source``),
    or ``parsed`` (it must be written).
    """

    path: Path
    source: str
    overrides: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    stamp: FileStamp | None = None
    unchanged: bool = False
    parsed: ParsedFile | None = None
    failure: FailedSource | None = None
    error: LessonsError | None = None


def classify_failure(exc: BaseException, source: str) -> FailedSource | LessonsError:
    """What a failure inside a pipeline means: a FailedSource for this file, or an error that stops the job."""
    cause = exc.__cause__ if isinstance(exc, PipelineRuntimeError) and exc.__cause__ is not None else exc
    if isinstance(cause, DocumentError):
        return FailedSource(source, cause.reason)
    if isinstance(cause, LessonsError):
        return cause
    log.error("unexpected failure on %s", source, exc_info=cause)
    return FailedSource(source, f"unexpected error ({type(cause).__name__}: {cause}): please report it")


class FilePreparer:
    """Decides, reads and parses files for one job.

    Parameters:
        settings: chunking, size limits and ``trust_file_times`` come from here.
        stamps: the data folder's file stamps (read only here).
        stored: the store's documents by source, as the job keeps them up to date.
    """

    def __init__(self, settings: Settings, stamps: FileStamps, stored: Mapping[str, DocumentRecord]) -> None:
        self.settings = settings
        self.stamps = stamps
        self.stored = stored
        self.chunking = (settings.chunk_target_words, settings.chunk_max_words)
        self.pipeline = build_parsing_pipeline(settings)

    def prepare(self, path: Path, root: Path, extra: Mapping[str, str]) -> PreparedFile:
        """Decide whether the file at ``path`` (found under ``root``) changed, and parse it if so.

        ``extra`` holds metadata overrides given with the job (``source`` among them replaces the path).
        """
        extra = dict(extra)
        prepared = PreparedFile(path, extra.pop("source", "") or str(path))
        try:
            prepared.overrides = {**find_overrides(path, root=root), **extra}
            read_at = time.time_ns()
            stat = path.stat()
        except DocumentError as exc:
            prepared.failure = FailedSource(exc.source, exc.reason)
            return prepared
        except OSError as exc:
            prepared.failure = _unreadable(prepared.source, exc)
            return prepared
        context = fingerprint_context(prepared.overrides, self.chunking)
        existing = self.stored.get(prepared.source)
        stamp = self.stamps.get(prepared.source) if self.settings.trust_file_times else None
        if (
            stamp is not None
            and existing is not None
            and existing.content_hash == stamp.content_hash
            and stamp.matches(path, stat, context)
        ):
            prepared.content_hash, prepared.unchanged = stamp.content_hash, True
            return prepared
        try:
            content = path.read_bytes()
        except OSError as exc:
            prepared.failure = _unreadable(prepared.source, exc)
            return prepared
        prepared.content_hash = fingerprint(content, prepared.overrides, self.chunking)
        if trustworthy(stat, read_at):
            prepared.stamp = FileStamp.of(path, stat, context, prepared.content_hash)
        if existing is not None and existing.content_hash == prepared.content_hash:
            prepared.unchanged = True
        else:
            self.parse(prepared)
        return prepared

    def parse(self, prepared: PreparedFile) -> None:
        """Fill ``parsed`` (or ``failure`` / ``error``) of a file that must be written."""
        prepared.unchanged = False
        doc_id = prepared.overrides.get("doc_id") or slug(prepared.path.stem)
        try:
            result = self.pipeline.run(
                {
                    "converter": {"path": str(prepared.path), "overrides": prepared.overrides},
                    "splitter": {"doc_id": doc_id},
                },
                include_outputs_from={"converter"},
            )
        except Exception as exc:  # every failure of one file is reported, never stops the others
            outcome = classify_failure(exc, prepared.source)
            if isinstance(outcome, FailedSource):
                prepared.failure = outcome
            else:
                prepared.error = outcome
            return
        converted = result["converter"]
        prepared.parsed = ParsedFile(converted["parsed"], converted["metadata"], result["splitter"]["chunks"], doc_id)

    def in_order(
        self, files: Sequence[tuple[Path, Path]], extra: Mapping[Path, Mapping[str, str]], *, ahead: int
    ) -> Generator[PreparedFile, None, None]:
        """Every file prepared, in order, with up to ``ahead`` files prepared in a background thread
        while the caller handles the current one (``ahead`` 0: one at a time, on the caller's thread).

        Close the iterator (``contextlib.closing``) to stop the background work early.
        """
        if ahead <= 0:
            for path, root in files:
                yield self.prepare(path, root, extra.get(path, {}))
            return
        # One thread: parsing is pure Python and holds the GIL, while the model releases it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lessons-parse") as pool:
            waiting = iter(files)
            pending: deque[Future[PreparedFile]] = deque()

            def submit_next() -> None:
                for path, root in waiting:
                    pending.append(pool.submit(self.prepare, path, root, extra.get(path, {})))
                    return

            try:
                for _ in range(ahead):
                    submit_next()
                while pending:
                    prepared = pending.popleft().result()
                    submit_next()
                    yield prepared
            finally:
                for future in pending:
                    future.cancel()


def _unreadable(source: str, exc: OSError) -> FailedSource:
    return FailedSource(source, f"cannot read the file ({exc.strerror}): check its permissions")
