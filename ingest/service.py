"""The write path's one service: run ingestion jobs and return what they did.

A job takes its files in order. Whether a file changed is decided from its stamp (size and times
when it was last indexed) or else from the hash of its bytes; a changed file is parsed, embedded
and written. Parsing runs ahead in a background thread (``ingest_prefetch`` files at most) while
the model embeds, but outcomes, progress calls and writes happen in file order on the calling
thread, exactly as when files are taken one at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from haystack import Pipeline

from ingest.components import slug
from ingest.discovery import discover
from ingest.file_stamps import FileStamps
from ingest.pipeline import build_embedding_pipeline
from ingest.preparation import FilePreparer, PreparedFile, classify_failure
from ingest.recommendations.sync import sync_register
from ingest.report import FailedSource, IngestReport, RegisterReport
from ingest.sources import download, read_sources
from search.access import LOCAL_USER, User
from search.embedding import Embedder
from search.errors import JobTooLargeError
from search.models import DocumentRecord
from search.settings import Settings
from search.store.factory import open_store
from search.store.protocol import ChunkStore


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
            stamps = FileStamps(self.settings.data_dir)
            try:
                job = _Job(self, store, stamps, report)
                preparer = FilePreparer(self.settings, stamps, job.stored)
                prepared_files = preparer.in_order(files, metadata or {}, ahead=self.settings.ingest_prefetch)
                with closing(prepared_files):
                    for number, prepared in enumerate(prepared_files, start=1):
                        outcome = job.finish(prepared, preparer)
                        if progress:
                            progress(IngestProgress(number, len(files), str(prepared.path), outcome))
                if prune:
                    report.removed += job.prune(paths, {str(path) for path, _ in files})
                if job.changed:
                    store.flush()
            finally:
                stamps.close()
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
                path = download(
                    entry, folder, timeout=self.settings.download_timeout_s, max_bytes=self.settings.max_file_bytes
                )
            except OSError as exc:
                failed.append(FailedSource(entry.url, str(exc)))
                continue
            files.append(path)
            metadata[path.resolve()] = {**entry.metadata, "source": entry.url}
        report = self.ingest(files, progress=progress, metadata=metadata) if files else IngestReport()
        report.failed = failed + report.failed
        return report


class _Job:
    """The writing side of one ingestion job: outcomes in file order, the model loaded only if needed.

    Parameters:
        service: the service running the job (its settings, user and embedder).
        store: the store, opened for writing.
        stamps: the data folder's file stamps.
        report: the job's report, filled as files are finished.
    """

    def __init__(self, service: IngestService, store: ChunkStore, stamps: FileStamps, report: IngestReport) -> None:
        self.service = service
        self.store = store
        self.stamps = stamps
        self.report = report
        # One read of every record, kept up to date as the job writes: no query per file.
        self.stored: dict[str, DocumentRecord] = {document.source: document for document in store.list_documents()}
        self.changed = False  # whether the store was written (else nothing needs flushing)
        self._written_since_flush = 0
        self._writer: Pipeline | None = None

    def finish(self, prepared: PreparedFile, preparer: FilePreparer) -> str:
        """Record, or embed and write, one prepared file; returns its outcome for the progress callback."""
        if prepared.error is not None:
            raise prepared.error
        if prepared.failure is not None:
            self.report.failed.append(prepared.failure)
            return "failed"
        existing = self.stored.get(prepared.source)
        if existing is not None and existing.content_hash == prepared.content_hash:
            self._keep_stamp(prepared)
            self.report.unchanged.append(prepared.source)
            return "unchanged"
        if prepared.parsed is None:
            # Judged unchanged against a record that this job has since replaced (one source twice).
            preparer.parse(prepared)
            return self.finish(prepared, preparer)
        outcome = self._write(prepared, existing)
        if outcome != "failed":
            self._keep_stamp(prepared)
            self._written_since_flush += 1
            if self._written_since_flush >= self.service.settings.flush_every:
                self.store.flush()
                self.stamps.save()
                self._written_since_flush = 0
        return outcome

    def _keep_stamp(self, prepared: PreparedFile) -> None:
        if prepared.stamp is not None:
            self.stamps.put(prepared.source, prepared.stamp)

    def _write(self, prepared: PreparedFile, existing: DocumentRecord | None) -> str:
        assert prepared.parsed is not None
        parsed, source = prepared.parsed, prepared.source
        doc_id = _doc_id(self.store, prepared.path, source, prepared.overrides)
        chunks = parsed.chunks
        if doc_id != parsed.doc_id:
            chunks = [replace(chunk, doc_id=doc_id) for chunk in chunks]
        if self._writer is None:
            self._writer = build_embedding_pipeline(self.store, self.service.embedder)
        self.changed = True
        try:
            result = self._writer.run(
                {
                    "embedder": {"chunks": chunks, "metadata": parsed.metadata},
                    "writer": {
                        "parsed": parsed.parsed,
                        "metadata": parsed.metadata,
                        "doc_id": doc_id,
                        "source": source,
                        "content_hash": prepared.content_hash,
                    },
                }
            )
        except Exception as exc:  # a file the model or store cannot take is reported, unless the job must stop
            outcome = classify_failure(exc, source)
            if not isinstance(outcome, FailedSource):
                raise outcome from None
            self.report.failed.append(outcome)
            return "failed"
        record = result["writer"]["documents"][0]
        self.report.pages += record.pages or 0
        self.report.chunks += record.chunks
        if record.chunks == 0:
            self.report.failed.append(FailedSource(source, "no text to index was found in the file"))
            self.store.delete_document(doc_id)
            self.stored.pop(source, None)
            return "failed"
        self.stored[source] = record
        (self.report.updated if existing is not None else self.report.added).append(source)
        return "updated" if existing is not None else "added"

    def prune(self, paths: Iterable[Path], seen: set[str]) -> list[str]:
        """Remove documents from under the job's folders whose files have disappeared; returns their sources."""
        folders = [str(p.resolve()) + "/" for p in paths if p.is_dir()]
        removed = []
        for document in self.store.list_documents():
            inside = any(document.source.startswith(folder) for folder in folders)
            if inside and document.source not in seen and not Path(document.source).exists():
                self.store.delete_document(document.doc_id)
                self.stamps.forget(document.source)
                self.stored.pop(document.source, None)
                self.changed = True
                removed.append(document.source)
        return removed


def _doc_id(store: ChunkStore, path: Path, source: str, overrides: dict[str, str]) -> str:
    wanted = overrides.get("doc_id") or slug(path.stem)
    holder = store.get_document(wanted)
    if holder is None or holder.source == source or overrides.get("doc_id"):
        return wanted
    # Another file with the same name elsewhere: keep ids stable by adding a hash of the path.
    return f"{wanted}-{hashlib.sha256(source.encode()).hexdigest()[:8]}"
