"""The audit log: one JSON line per event, appended, with or without the question text."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from search.access import User
from search.audit import AuditLog, read_events
from search.errors import StoreError

ALICE = User("alice", "reader", "internal")


def test_events_are_appended_with_who_what_and_documents(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record(ALICE, "search", text="mash referrals", doc_ids=["a", "b", "a"])
    log.record(ALICE, "page", doc_ids=["b"])
    events = read_events(tmp_path / "audit.jsonl")
    assert [(e["user"], e["action"], e["doc_ids"]) for e in events] == [
        ("alice", "search", ["a", "b"]),
        ("alice", "page", ["b"]),
    ]
    assert events[0]["text"] == "mash referrals" and events[0]["time"] < events[1]["time"] + "~"
    assert (tmp_path / "audit.jsonl").stat().st_mode & 0o777 == 0o600


def test_privacy_setting_keeps_questions_out(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", include_questions=False)
    log.record(ALICE, "ask", text="is my neighbour's child at risk?", doc_ids=["x"])
    assert "neighbour" not in (tmp_path / "audit.jsonl").read_text()
    assert read_events(tmp_path / "audit.jsonl")[0]["doc_ids"] == ["x"]


def test_off_by_default_writes_nothing(tmp_path: Path) -> None:
    log = AuditLog(None)
    log.record(ALICE, "search", text="q", doc_ids=["a"])
    assert not log.enabled and list(tmp_path.iterdir()) == []


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    logs = [AuditLog(path) for _ in range(4)]  # separate objects, like separate processes

    def write(log: AuditLog, n: int) -> None:
        for i in range(200):
            log.record(ALICE, "search", text=f"writer {n} event {i} " + "x" * 500, doc_ids=[str(i)])

    threads = [threading.Thread(target=write, args=(log, n)) for n, log in enumerate(logs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(read_events(path)) == 800


def test_an_unwritable_log_names_the_file_and_the_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot write the audit log .*clear the audit_log setting"):
        AuditLog(blocker / "audit.jsonl").record(ALICE, "search")
