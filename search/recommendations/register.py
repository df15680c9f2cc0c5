"""The register's own SQLite file (``register.sqlite`` in the data folder): derived from the store, kept apart.

Per document it holds the recommendations found (with embeddings and themes) and the passages
citing recommendations by number. Across documents it holds what is recomputed after every sync:
status events (which later document reported what about which recommendation) and recurrence
groups. Each document is replaced in one transaction and the cross-document tables in another, so
a killed sync leaves a consistent register and the next one finishes the work.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.errors import RegisterError
from search.models import DocumentRecord
from search.recommendations.models import ExtractedRecommendation, RecommendationMention, ThemeReason
from search.recommendations.verbatim import searchable

REGISTER_FILE = "register.sqlite"
SCHEMA_VERSION = "3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, title TEXT NOT NULL, doc_type TEXT NOT NULL,
    source TEXT NOT NULL, publisher TEXT, published TEXT, paged INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recommendations (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    page INTEGER NOT NULL, page_end INTEGER NOT NULL, number TEXT, rec_number INTEGER, made_by TEXT NOT NULL,
    addressee TEXT, own_status TEXT, own_status_evidence TEXT, vector BLOB
);
CREATE INDEX IF NOT EXISTS recommendations_doc ON recommendations (doc_id);
CREATE TABLE IF NOT EXISTS themes (
    rec_id TEXT NOT NULL, rank INTEGER NOT NULL, theme TEXT NOT NULL, why TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (rec_id, rank)
);
CREATE TABLE IF NOT EXISTS mentions (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, position INTEGER NOT NULL, page INTEGER NOT NULL,
    numbers TEXT NOT NULL, all_of INTEGER, statuses TEXT NOT NULL, description TEXT NOT NULL, cue TEXT NOT NULL,
    evidence TEXT NOT NULL, repeats INTEGER NOT NULL, within_id TEXT, under INTEGER, vector BLOB
);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions (doc_id);
CREATE TABLE IF NOT EXISTS events (
    rec_id TEXT NOT NULL, position INTEGER NOT NULL, status TEXT, doc_id TEXT NOT NULL, page INTEGER NOT NULL,
    evidence TEXT NOT NULL, PRIMARY KEY (rec_id, position)
);
CREATE TABLE IF NOT EXISTS groups (rec_id TEXT PRIMARY KEY, group_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chains (group_id TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS recommendation_words USING fts5(id UNINDEXED, text, tokenize = 'porter unicode61');
"""


@dataclass(frozen=True)
class StoredDocument:
    """What the register keeps about a document the store holds."""

    doc_id: str
    content_hash: str
    title: str
    doc_type: str
    source: str
    publisher: str | None
    published: str | None
    paged: bool


@dataclass(frozen=True)
class StoredRecommendation:
    """A recommendation row, with its document's date, its themes and its embedding."""

    id: str
    doc_id: str
    position: int
    text: str
    page: int
    page_end: int
    number: str | None
    rec_number: int | None
    made_by: str
    addressee: str | None
    own_status: str | None
    own_status_evidence: str | None
    date: str | None
    themes: tuple[str, ...]
    vector: np.ndarray | None


@dataclass(frozen=True)
class StoredMention:
    """A citation row: where it is, what it cites and reports, its embedding."""

    id: str
    doc_id: str
    position: int
    page: int
    numbers: tuple[int, ...]
    all_of: int | None
    statuses: tuple[str, ...]
    description: str
    cue: str
    evidence: str
    repeats: bool
    within_id: str | None
    under: int | None
    date: str | None
    vector: np.ndarray | None


@dataclass(frozen=True)
class StoredEvent:
    """A derived status event: ``rec_id`` was reported on (with ``status``, or None) by ``doc_id``."""

    rec_id: str
    position: int
    status: str | None
    doc_id: str
    page: int
    evidence: str


def register_path(data_dir: Path) -> Path:
    """Where the register of a data folder lives."""
    return Path(data_dir) / REGISTER_FILE


def _blob(vector: Sequence[float] | np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()


def _vector(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype=np.float32)


class Register:
    """The register file, opened for reading or (by the ingest job's sync) for writing.

    Parameters:
        path: the ``register.sqlite`` file.
        writable: create the file and its tables when missing, and allow writes.

    Raises RegisterError when a reader finds no register file.
    """

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = Path(path)
        self.writable = writable
        if not writable and not self.path.is_file():
            raise RegisterError(
                f"there is no recommendations register in {self.path.parent}: run `lessons recommendations --rebuild` "
                "(or any `lessons ingest`), which builds it from the stored documents"
            )
        try:
            if writable:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._upgrade()
                self._db.executescript(_SCHEMA)
                self._db.commit()
            else:
                # Readers may be shared across a web app's threads; they only read.
                self._db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=30, check_same_thread=False)
                found = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
                if found is None or found[0] != SCHEMA_VERSION:
                    self._db.close()
                    raise RegisterError(
                        f"the recommendations register {self.path} was built by another version of Lessons: "
                        "run `lessons recommendations --rebuild` to build it again"
                    )
        except sqlite3.Error as exc:
            raise RegisterError(
                f"cannot open the recommendations register {self.path} ({exc}): delete the file and run "
                "`lessons recommendations --rebuild` to build it again"
            ) from None

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def _upgrade(self) -> None:
        """Drop the tables of a register written with another schema (it is derived data: the sync rebuilds it)."""
        has_meta = self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone()
        if not has_meta:
            return
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and row[0] == SCHEMA_VERSION:
            return
        tables = [name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        with self._db:
            for name in (
                "recommendation_words",
                "meta",
                "documents",
                "recommendations",
                "themes",
                "mentions",
                "events",
                "groups",
                "chains",
            ):
                if name in tables:
                    self._db.execute(f"DROP TABLE {name}")

    # -- meta -------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """A stored setting of the register (schema, extractor and taxonomy versions)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, values: dict[str, str]) -> None:
        """Store settings of the register."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())

    # -- documents --------------------------------------------------------------------------------
    def document_hashes(self) -> dict[str, str]:
        """The content hash each registered document had when it was last read."""
        return {
            str(doc_id): str(digest)
            for doc_id, digest in self._db.execute("SELECT doc_id, content_hash FROM documents")
        }

    def forget_content_hashes(self) -> None:
        """Mark every registered document as needing to be read again."""
        with self._db:
            self._db.execute("UPDATE documents SET content_hash = ''")

    def documents(self) -> dict[str, StoredDocument]:
        """Every registered document by id."""
        rows = self._db.execute(
            "SELECT doc_id, content_hash, title, doc_type, source, publisher, published, paged FROM documents"
        )
        return {
            row[0]: StoredDocument(
                doc_id=row[0],
                content_hash=row[1],
                title=row[2],
                doc_type=row[3],
                source=row[4],
                publisher=row[5],
                published=row[6],
                paged=bool(row[7]),
            )
            for row in rows
        }

    def replace_document(
        self,
        document: DocumentRecord,
        recommendations: Sequence[ExtractedRecommendation],
        vectors: Sequence[Sequence[float] | None],
        themes: Sequence[Sequence[ThemeReason]],
        mentions: Sequence[RecommendationMention],
        mention_vectors: Sequence[Sequence[float] | None],
    ) -> None:
        """Replace everything registered for ``document`` in one transaction."""
        doc_id = document.doc_id
        with self._db:
            self._delete(doc_id)
            self._db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    document.content_hash,
                    document.title,
                    document.doc_type,
                    document.source,
                    document.publisher,
                    document.published,
                    int(document.pages is not None),
                ),
            )
            for position, (record, vector, reasons) in enumerate(zip(recommendations, vectors, themes, strict=True)):
                rec_id = f"{doc_id}:{record.key}"
                self._db.execute(
                    "INSERT INTO recommendations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        rec_id,
                        doc_id,
                        position,
                        record.text,
                        record.page,
                        record.page_end,
                        record.number,
                        record.rec_number,
                        record.made_by,
                        record.addressee,
                        record.own_status,
                        record.own_status_evidence,
                        _blob(vector),
                    ),
                )
                self._db.executemany(
                    "INSERT INTO themes VALUES (?, ?, ?, ?, ?)",
                    [(rec_id, rank, r.theme, r.why, r.score) for rank, r in enumerate(reasons)],
                )
                self._db.execute("INSERT INTO recommendation_words VALUES (?, ?)", (rec_id, searchable(record.text)))
            for position, (mention, vector) in enumerate(zip(mentions, mention_vectors, strict=True)):
                self._db.execute(
                    "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        f"{doc_id}:m{position}",
                        doc_id,
                        position,
                        mention.page,
                        json.dumps(list(mention.numbers)),
                        mention.all_of,
                        json.dumps(list(mention.statuses)),
                        mention.description,
                        mention.cue,
                        mention.evidence,
                        int(mention.repeats),
                        f"{doc_id}:{mention.within}" if mention.within else None,
                        mention.under,
                        _blob(vector),
                    ),
                )

    def remove_document(self, doc_id: str) -> None:
        """Forget a document (it left the store)."""
        with self._db:
            self._delete(doc_id)

    def _delete(self, doc_id: str) -> None:
        ids = [row[0] for row in self._db.execute("SELECT id FROM recommendations WHERE doc_id = ?", (doc_id,))]
        self._db.executemany("DELETE FROM themes WHERE rec_id = ?", [(rec_id,) for rec_id in ids])
        self._db.executemany("DELETE FROM recommendation_words WHERE id = ?", [(rec_id,) for rec_id in ids])
        for table in ("recommendations", "mentions", "documents"):
            self._db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    # -- reading ----------------------------------------------------------------------------------
    def recommendations(self, ids: Iterable[str] | None = None) -> list[StoredRecommendation]:
        """Recommendations in document date order, then their order in the document (all, or those ``ids``)."""
        themes: dict[str, list[str]] = {}
        for rec_id, theme in self._db.execute("SELECT rec_id, theme FROM themes ORDER BY rec_id, rank"):
            themes.setdefault(rec_id, []).append(theme)
        query = (
            "SELECT r.id, r.doc_id, r.position, r.text, r.page, r.page_end, r.number, r.rec_number, r.made_by, "
            "r.addressee, r.own_status, r.own_status_evidence, d.published, r.vector FROM recommendations r "
            "JOIN documents d ON d.doc_id = r.doc_id"
        )
        rows = self._db.execute(query).fetchall()
        wanted = None if ids is None else set(ids)
        records = [
            StoredRecommendation(
                id=row[0],
                doc_id=row[1],
                position=row[2],
                text=row[3],
                page=row[4],
                page_end=row[5],
                number=row[6],
                rec_number=row[7],
                made_by=row[8],
                addressee=row[9],
                own_status=row[10],
                own_status_evidence=row[11],
                date=row[12],
                themes=tuple(themes.get(row[0], ())),
                vector=_vector(row[13]),
            )
            for row in rows
            if wanted is None or row[0] in wanted
        ]
        records.sort(key=lambda r: (r.date or "9999", r.doc_id, r.position))
        return records

    def theme_reasons(self, rec_id: str) -> list[ThemeReason]:
        """Why each theme of a recommendation was given, strongest first."""
        rows = self._db.execute("SELECT theme, why, score FROM themes WHERE rec_id = ? ORDER BY rank", (rec_id,))
        return [ThemeReason(theme, why, float(score)) for theme, why, score in rows]

    def mentions(self) -> list[StoredMention]:
        """Every citation row, in document order."""
        rows = self._db.execute(
            "SELECT m.id, m.doc_id, m.position, m.page, m.numbers, m.all_of, m.statuses, m.description, m.cue, "
            "m.evidence, m.repeats, m.within_id, m.under, d.published, m.vector FROM mentions m "
            "JOIN documents d ON d.doc_id = m.doc_id ORDER BY m.doc_id, m.position"
        )
        return [
            StoredMention(
                row[0],
                row[1],
                row[2],
                row[3],
                tuple(json.loads(row[4])),
                row[5],
                tuple(json.loads(row[6])),
                row[7],
                row[8],
                row[9],
                bool(row[10]),
                row[11],
                row[12],
                row[13],
                _vector(row[14]),
            )
            for row in rows
        ]

    def keyword_matches(self, words: Sequence[str], limit: int) -> list[str]:
        """Recommendation ids whose text has any of ``words`` (stemmed: "recording" finds "recorded"), best BM25 first."""
        terms = [word for word in words if word]
        if not terms:
            return []
        expression = " OR ".join('"' + word.replace('"', "") + '"' for word in terms)
        try:
            rows = self._db.execute(
                "SELECT id FROM recommendation_words WHERE recommendation_words MATCH ? ORDER BY bm25(recommendation_words) "
                "LIMIT ?",
                (expression, limit),
            )
            return [str(row[0]) for row in rows]
        except sqlite3.OperationalError:
            return []

    def events(self, rec_id: str | None = None) -> list[StoredEvent]:
        """Derived status events (of one recommendation, or all), in the order they were derived."""
        if rec_id is None:
            rows = self._db.execute(
                "SELECT rec_id, position, status, doc_id, page, evidence FROM events ORDER BY rec_id, position"
            )
        else:
            rows = self._db.execute(
                "SELECT rec_id, position, status, doc_id, page, evidence FROM events WHERE rec_id = ? ORDER BY position",
                (rec_id,),
            )
        return [StoredEvent(*row) for row in rows]

    def groups(self) -> dict[str, str]:
        """Recurrence group id of every grouped recommendation."""
        return {str(rec_id): str(group) for rec_id, group in self._db.execute("SELECT rec_id, group_id FROM groups")}

    def chain_labels(self) -> dict[str, str]:
        """Label of every recurrence group."""
        return {str(group): str(label) for group, label in self._db.execute("SELECT group_id, label FROM chains")}

    # -- derived tables ---------------------------------------------------------------------------
    def replace_derived(self, events: Sequence[StoredEvent], groups: dict[str, str], labels: dict[str, str]) -> None:
        """Replace the status events and recurrence groups in one transaction."""
        with self._db:
            for table in ("events", "groups", "chains"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                [(e.rec_id, e.position, e.status, e.doc_id, e.page, e.evidence) for e in events],
            )
            self._db.executemany("INSERT INTO groups VALUES (?, ?)", sorted(groups.items()))
            self._db.executemany("INSERT INTO chains VALUES (?, ?)", sorted(labels.items()))
