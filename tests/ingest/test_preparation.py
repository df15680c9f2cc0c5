"""Parsing ahead: files come back in order, at most a few ahead, and a bad file is a failure, not an exception."""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path

from ingest.file_stamps import FileStamps
from ingest.preparation import FilePreparer, PreparedFile
from tests.conftest import settings_for


class RecordingPreparer(FilePreparer):
    """The real preparer, noting which file it started on and how far ahead of the consumer it got."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started: list[str] = []
        self.consumed = 0
        self.most_ahead = 0
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def prepare(self, path, root, extra) -> PreparedFile:
        with self.lock:
            self.started.append(path.name)
            self.most_ahead = max(self.most_ahead, len(self.started) - self.consumed)
            self.threads.add(threading.current_thread().name)
        return super().prepare(path, root, extra)


def _files(folder: Path, count: int) -> list[tuple[Path, Path]]:
    folder.mkdir()
    for number in range(count):
        (folder / f"note-{number:02d}.md").write_text(
            f"# Note {number}\n\nThe panel met on day {number} to review cases.\n"
        )
    (folder / "note-03.md").write_bytes(b"\xff\xfe\x00 not text" * 40)
    return [(path.resolve(), folder.resolve()) for path in sorted(folder.iterdir())]


def _preparer(tmp_path: Path) -> RecordingPreparer:
    settings = settings_for(tmp_path / "store")
    return RecordingPreparer(settings, FileStamps(settings.data_dir), {})


def test_files_come_back_in_order_with_at_most_the_asked_number_ahead(tmp_path):
    files = _files(tmp_path / "docs", 12)
    preparer = _preparer(tmp_path)
    names = []
    with closing(preparer.in_order(files, {}, ahead=2)) as prepared_files:
        for prepared in prepared_files:
            names.append(prepared.path.name)
            with preparer.lock:
                preparer.consumed += 1
            if prepared.path.name == "note-03.md":
                assert prepared.failure is not None and "undecodable text" in prepared.failure.reason
                assert prepared.parsed is None
            else:
                assert prepared.failure is None and prepared.parsed is not None
                assert prepared.parsed.chunks[0].doc_id == prepared.path.stem
    assert names == [path.name for path, _ in files]
    assert preparer.most_ahead <= 3  # the one being handled and two ahead
    assert all(name.startswith("lessons-parse") for name in preparer.threads)


def test_closing_early_stops_the_work_ahead(tmp_path):
    files = _files(tmp_path / "docs", 12)
    preparer = _preparer(tmp_path)
    with closing(preparer.in_order(files, {}, ahead=2)) as prepared_files:
        next(prepared_files)
    assert len(preparer.started) <= 4


def test_without_parsing_ahead_everything_happens_on_the_callers_thread(tmp_path):
    files = _files(tmp_path / "docs", 4)
    preparer = _preparer(tmp_path)
    names = [prepared.path.name for prepared in preparer.in_order(files, {}, ahead=0)]
    assert names == [path.name for path, _ in files]
    assert preparer.threads == {threading.current_thread().name}
