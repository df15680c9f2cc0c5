"""The embedded store's system of record: one SQLite database.

It holds documents, page texts, chunks with their embeddings, a change log and the history of
ingestion reports. The keyword and vector indexes are derived from it and record the last change
they applied, so a crash can never leave them disagreeing with it unnoticed.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from search.errors import StoreError
from search.models import ChunkRecord, DocumentRecord

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, doc_type TEXT NOT NULL, publisher TEXT,
    published TEXT, area TEXT, source TEXT NOT NULL UNIQUE, access TEXT NOT NULL, pages INTEGER,
    chunks INTEGER NOT NULL, series TEXT, content_hash TEXT NOT NULL, indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL, page INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (doc_id, page)
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_key INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    text TEXT NOT NULL, page INTEGER, page_end INTEGER, section TEXT, paragraph TEXT,
    char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id, ordinal);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT NOT NULL, op TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT, report TEXT
);
"""

_DOC_COLUMNS = (
    "doc_id, title, doc_type, publisher, published, area, source, access, pages, chunks, "
    "series, content_hash, indexed_at"
)
_CHUNK_COLUMNS = "chunk_key, doc_id, ordinal, text, page, page_end, section, paragraph, char_start, char_end"


def _document(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(**{key: row[key] for key in row.keys()})


def _chunk(row: sqlite3.Row) -> ChunkRecord:
    return ChunkRecord(
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        text=row["text"],
        page=row["page"],
        page_end=row["page_end"],
        section=row["section"],
        paragraph=row["paragraph"],
        char_start=row["char_start"],
        char_end=row["char_end"],
    )


class RecordStore:
    """SQLite tables of documents, pages, chunks (with embeddings) and the change log.

    Parameters:
        path: the database file (created with its tables if missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the store database {path} ({exc}): if it is damaged, move it away "
                "and re-run `lessons ingest` to rebuild the index"
            ) from None
        if self.get_meta("schema_version") is None:
            self.set_meta("schema_version", SCHEMA_VERSION)

    # -- meta -----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value of the meta table, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- writes ---------------------------------------------------------------------------
    def replace_document(
        self, document: DocumentRecord, chunks: Sequence[ChunkRecord], pages: Sequence[str]
    ) -> list[str]:
        """Replace a document, its pages and chunks in one transaction, and log the change.

        Returns the ids of other documents removed because they came from the same source.
        """
        indexed_at = document.indexed_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._delete_rows(document.doc_id)
            # A different document may have come from the same source before (its id changed).
            displaced = [
                str(row[0])
                for row in self._db.execute(
                    "SELECT doc_id FROM documents WHERE source = ? AND doc_id != ?",
                    (document.source, document.doc_id),
                ).fetchall()
            ]
            for old_id in displaced:
                self._delete_rows(old_id)
                self._db.execute("INSERT INTO changes (doc_id, op) VALUES (?, 'delete')", (old_id,))
            self._db.execute(
                f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                (
                    document.doc_id, document.title, document.doc_type, document.publisher,
                    document.published, document.area, document.source, document.access,
                    document.pages, len(chunks), document.series, document.content_hash, indexed_at,
                ),
            )
            self._db.executemany(
                "INSERT INTO pages (doc_id, page, text) VALUES (?, ?, ?)",
                [(document.doc_id, number, text) for number, text in enumerate(pages, start=1)],
            )
            self._db.executemany(
                "INSERT INTO chunks (doc_id, ordinal, text, page, page_end, section, paragraph, "
                "char_start, char_end, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c.doc_id, c.ordinal, c.text, c.page, c.page_end, c.section, c.paragraph,
                        c.char_start, c.char_end, np.asarray(c.embedding, dtype=np.float32).tobytes(),
                    )
                    for c in chunks
                ],
            )
            self._db.execute("INSERT INTO changes (doc_id, op) VALUES (?, 'upsert')", (document.doc_id,))
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return displaced

    def delete_document(self, doc_id: str) -> bool:
        """Delete a document and log the change; True if it existed."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            existed = self._db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if existed:
                self._delete_rows(doc_id)
                self._db.execute("INSERT INTO changes (doc_id, op) VALUES (?, 'delete')", (doc_id,))
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return bool(existed)

    def _delete_rows(self, doc_id: str) -> None:
        for table in ("documents", "pages", "chunks"):
            self._db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    # -- reads ----------------------------------------------------------------------------
    def document(self, doc_id: str) -> DocumentRecord | None:
        """The document with this id, or None."""
        row = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else _document(row)

    def document_for_source(self, source: str) -> DocumentRecord | None:
        """The document ingested from ``source``, or None."""
        row = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE source = ?", (source,)).fetchone()
        return None if row is None else _document(row)

    def documents(self) -> list[DocumentRecord]:
        """All documents, by title."""
        rows = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY title, doc_id").fetchall()
        return [_document(row) for row in rows]

    def page_text(self, doc_id: str, page: int) -> str | None:
        """The text of one page, or None."""
        row = self._db.execute(
            "SELECT text FROM pages WHERE doc_id = ? AND page = ?", (doc_id, page)
        ).fetchone()
        return None if row is None else str(row[0])

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in order."""
        rows = self._db.execute(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
        ).fetchall()
        return [_chunk(row) for row in rows]

    def chunks_by_key(self, keys: Iterable[int]) -> dict[int, ChunkRecord]:
        """Chunks by their storage keys; keys no longer stored are absent from the result."""
        wanted = list(keys)
        found: dict[int, ChunkRecord] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows = self._db.execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE chunk_key IN ({', '.join('?' * len(part))})",
                part,
            ).fetchall()
            found.update({int(row["chunk_key"]): _chunk(row) for row in rows})
        return found

    def chunk_rows(self, doc_id: str) -> list[tuple[int, str, str, bytes]]:
        """(chunk_key, text, context, embedding bytes) of a document's chunks, for the indexes."""
        rows = self._db.execute(
            "SELECT c.chunk_key, c.text, d.title || ' ' || coalesce(c.section, ''), c.embedding "
            "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.doc_id = ? ORDER BY c.ordinal",
            (doc_id,),
        ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2]), bytes(r[3])) for r in rows]

    def all_embeddings(self) -> Iterator[tuple[np.ndarray, np.ndarray, list[str]]]:
        """Batches of (chunk keys, embedding matrix, doc ids) over every chunk, for a rebuild."""
        cursor = self._db.execute("SELECT chunk_key, doc_id, embedding FROM chunks ORDER BY chunk_key")
        while rows := cursor.fetchmany(20000):
            keys = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            matrix = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.float32).reshape(len(rows), -1)
            yield keys, matrix, [row[1] for row in rows]

    def last_change(self) -> int:
        """The sequence number of the newest change (0 when none)."""
        row = self._db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
        return int(row[0])

    def changed_since(self, seq: int) -> list[str]:
        """Doc ids changed after change ``seq``, in order of their last change."""
        rows = self._db.execute(
            "SELECT doc_id, max(seq) AS last FROM changes WHERE seq > ? GROUP BY doc_id ORDER BY last",
            (seq,),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def counts(self) -> tuple[int, int]:
        """(documents, chunks)."""
        documents = self._db.execute("SELECT count(*) FROM documents").fetchone()[0]
        chunks = self._db.execute("SELECT coalesce(sum(chunks), 0) FROM documents").fetchone()[0]
        return int(documents), int(chunks)

    def integrity_problems(self) -> list[str]:
        """Disagreements inside the database (empty when it is consistent)."""
        problems = [str(row[0]) for row in self._db.execute("PRAGMA quick_check").fetchall() if row[0] != "ok"]
        rows = self._db.execute(
            "SELECT d.doc_id, d.chunks, count(c.chunk_key) FROM documents d "
            "LEFT JOIN chunks c ON c.doc_id = d.doc_id GROUP BY d.doc_id HAVING d.chunks != count(c.chunk_key)"
        ).fetchall()
        problems += [f"document {r[0]} records {r[1]} chunks but {r[2]} are stored" for r in rows]
        orphans = self._db.execute(
            "SELECT count(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} chunks belong to no document")
        return problems

    # -- report history -------------------------------------------------------------------
    def record_report(self, started: str, finished: str, report: dict[str, object]) -> None:
        """Keep an ingestion report in the history."""
        self._db.execute(
            "INSERT INTO reports (started, finished, report) VALUES (?, ?, ?)",
            (started, finished, json.dumps(report)),
        )

    def last_report_time(self) -> str | None:
        """When the last ingestion job finished, or None."""
        row = self._db.execute("SELECT max(finished) FROM reports").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def close(self) -> None:
        """Close the database."""
        self._db.close()
