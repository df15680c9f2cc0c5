"""The write path's one service: run ingestion jobs and return what they did."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from haystack.core.errors import PipelineRuntimeError

from ingest.components import fingerprint, slug
from ingest.discovery import discover
from ingest.manifest import find_overrides
from ingest.pipeline import build_indexing_pipeline
from ingest.recommendations.sync import sync_register
from ingest.report import FailedSource, IngestReport, RegisterReport
from ingest.sources import download, read_sources
from search.access import LOCAL_USER, User
from search.embedding import Embedder
from search.errors import DocumentError, JobTooLargeError, LessonsError
from search.settings import Settings
from search.store.factory import open_store
from search.store.protocol import ChunkStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestProgress:
    """Where a job is: ``done`` of ``total`` files, the current one, and what happened to it."""

    done: int
    total: int
    source: str
    outcome: str


ProgressCallback = Callable[[IngestProgress], None]


class IngestService:
    """Indexes files and folders into the configured store.

    Parameters:
        settings: the Settings in force.
        embedder: a loaded Embedder to share (one is made when None).
        user: who runs the jobs; only contributors and admins may (default: the local user).
    """

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, user: User = LOCAL_USER) -> None:
        self.settings = settings
        self.user = user
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        if self._embedder is None:
            self._embedder = Embedder(self.settings)
        return self._embedder

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        progress: ProgressCallback | None = None,
        metadata: dict[Path, dict[str, str]] | None = None,
    ) -> IngestReport:
        """Index every supported file under ``paths``: new ones added, changed ones replaced.

        Parameters:
            paths: files and folders (folders are walked).
            prune: remove documents whose file under one of the folders has disappeared.
            progress: called after each file.
            metadata: extra metadata overrides per file (e.g. from a sources list).

        Returns the IngestReport. One bad file never stops the job: it is listed in
        ``failed`` with its reason. Raises StoreLockedError when another job is writing.
        """
        self.user.require_contributor()
        started = time.perf_counter()
        started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        report = IngestReport()
        files, missing = discover(paths)
        if len(files) > self.settings.max_files_per_job:
            raise JobTooLargeError(
                f"the job holds {len(files):,} files, over the limit of {self.settings.max_files_per_job:,} "
                "(setting max_files_per_job): ingest the folders in parts, or raise the limit"
            )
        report.failed += [FailedSource(str(p), "no such file or folder: check the path") for p in missing]
        store = open_store(self.settings, writable=True)
        try:
            pipeline = build_indexing_pipeline(store, self.embedder, self.settings)
            written_since_flush = 0
            for number, (path, root) in enumerate(files, start=1):
                outcome = self._ingest_one(pipeline, store, path, root, (metadata or {}).get(path, {}), report)
                if outcome in ("added", "updated"):
                    written_since_flush += 1
                    if written_since_flush >= self.settings.flush_every:
                        store.flush()
                        written_since_flush = 0
                if progress:
                    progress(IngestProgress(number, len(files), str(path), outcome))
            if prune:
                report.removed += self._prune(store, paths, {str(path.resolve()) for path, _ in files})
            store.flush()
            report.register = sync_register(store, self.settings, lambda: self.embedder)
            report.seconds = time.perf_counter() - started
            finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            store.record_report(started_at, finished_at, report.as_dict())
        finally:
            store.close()
        return report

    def refresh_register(self) -> RegisterReport:
        """Bring the recommendations register up to date with the store without ingesting anything.

        Builds it for a store made before the register existed. Raises StoreLockedError when
        another job is writing.
        """
        store = open_store(self.settings, writable=True)
        try:
            return sync_register(store, self.settings, lambda: self.embedder)
        finally:
            store.close()

    def ingest_sources(self, sources_file: Path, *, progress: ProgressCallback | None = None) -> IngestReport:
        """Download the documents of a sources list and index them (source = their URL).

        A download that fails is listed in ``failed`` with its reason; the others go on.
        """
        self.user.require_contributor()
        entries = read_sources(sources_file)
        folder = self.settings.data_dir / "downloads"
        files: list[Path] = []
        metadata: dict[Path, dict[str, str]] = {}
        failed: list[FailedSource] = []
        for entry in entries:
            try:
                path = download(entry, folder, timeout=self.settings.download_timeout_s,
                                max_bytes=self.settings.max_file_bytes)
            except OSError as exc:
                failed.append(FailedSource(entry.url, str(exc)))
                continue
            files.append(path)
            metadata[path.resolve()] = {**entry.metadata, "source": entry.url}
        report = self.ingest(files, progress=progress, metadata=metadata) if files else IngestReport()
        report.failed = failed + report.failed
        return report

    def _ingest_one(
        self, pipeline, store: ChunkStore, path: Path, root: Path, extra: dict[str, str], report: IngestReport
    ) -> str:
        extra = dict(extra)
        source = extra.pop("source", None) or str(path.resolve())
        try:
            overrides = {**find_overrides(path, root=root), **extra}
            content = path.read_bytes()
        except DocumentError as exc:
            report.failed.append(FailedSource(exc.source, exc.reason))
            return "failed"
        except OSError as exc:
            report.failed.append(FailedSource(source, f"cannot read the file ({exc.strerror}): check its permissions"))
            return "failed"
        content_hash = fingerprint(
            content, overrides, (self.settings.chunk_target_words, self.settings.chunk_max_words)
        )
        existing = store.document_for_source(source)
        if existing is not None and existing.content_hash == content_hash:
            report.unchanged.append(source)
            return "unchanged"
        doc_id = self._doc_id(store, path, source, overrides)
        try:
            result = pipeline.run(
                {
                    "converter": {"path": str(path), "overrides": overrides},
                    "splitter": {"doc_id": doc_id},
                    "writer": {"doc_id": doc_id, "source": source, "content_hash": content_hash},
                }
            )
        except PipelineRuntimeError as exc:
            cause = exc.__cause__
            if isinstance(cause, DocumentError):
                report.failed.append(FailedSource(source, cause.reason))
                return "failed"
            if isinstance(cause, LessonsError) and not isinstance(cause, DocumentError):
                raise cause from None
            log.exception("unexpected failure on %s", source)
            report.failed.append(
                FailedSource(source, f"unexpected error ({type(cause).__name__}: {cause}): please report it")
            )
            return "failed"
        record = result["writer"]["documents"][0]
        report.pages += record.pages or 0
        report.chunks += record.chunks
        if record.chunks == 0:
            report.failed.append(FailedSource(source, "no text to index was found in the file"))
            store.delete_document(doc_id)
            return "failed"
        (report.updated if existing is not None else report.added).append(source)
        return "updated" if existing is not None else "added"

    @staticmethod
    def _doc_id(store: ChunkStore, path: Path, source: str, overrides: dict[str, str]) -> str:
        wanted = overrides.get("doc_id") or slug(path.stem)
        holder = store.get_document(wanted)
        if holder is None or holder.source == source or overrides.get("doc_id"):
            return wanted
        # Another file with the same name elsewhere: keep ids stable by adding a hash of the path.
        return f"{wanted}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"

    @staticmethod
    def _prune(store: ChunkStore, paths: Iterable[Path], seen: set[str]) -> list[str]:
        folders = [str(p.resolve()) + "/" for p in paths if p.is_dir()]
        removed = []
        for document in store.list_documents():
            inside = any(document.source.startswith(folder) for folder in folders)
            if inside and document.source not in seen and not Path(document.source).exists():
                store.delete_document(document.doc_id)
                removed.append(document.source)
        return removed
