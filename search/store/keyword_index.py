"""BM25 keyword search over chunk texts with tantivy, derived from the record store.

Chunk text is indexed with English stemming, plus a lighter-weighted ``context`` field
(document title and section path) so that a passage under a relevant heading ranks higher.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import tantivy

from search.errors import StoreError
from search.store.index_state import read_applied, state_stamp, write_applied

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Question words and glue that add noise to BM25 without adding meaning.
STOPWORDS = frozenset(
    """a an and are as at be by can do does for from has have how i if in into is it its
    me my of on or our should so than that the their them then there these they this to
    was we what when where which who whom why will with would you your about after before
    must may shall any all""".split()
)
_CONTEXT_BOOST = 0.3
_WRITER_HEAP = 128 * 1024 * 1024


def query_terms(query: str) -> list[str]:
    """The words of a query worth matching: lower-cased, stopwords dropped unless nothing is left."""
    words = [word.lower() for word in _WORD.findall(query)]
    kept = [word for word in words if word not in STOPWORDS]
    return kept or words


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("chunk_key", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name="en_stem")
    builder.add_text_field("context", tokenizer_name="en_stem")
    return builder.build()


class KeywordIndex:
    """A tantivy index of chunk texts, keyed by chunk key and deletable by document.

    Parameters:
        folder: the index folder (created when missing).
        writable: open a writer (only the process holding the store's write lock may).
    """

    def __init__(self, folder: Path, *, writable: bool) -> None:
        self.folder = folder
        self.schema = _schema()
        state = read_applied(folder)
        self.applied_seq = -1 if state is None else int(state["applied_seq"])  # type: ignore[call-overload]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self.schema, path=str(folder))
        except ValueError as exc:
            if not writable:
                raise StoreError(
                    f"cannot open the keyword index in {folder} ({exc}): delete that folder and run "
                    "`lessons check`, which rebuilds it from the records"
                ) from None
            shutil.rmtree(folder)
            folder.mkdir(parents=True)
            self._index = tantivy.Index(self.schema, path=str(folder))
            self.applied_seq = -1
        self._writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1) if writable else None
        self._stamp = state_stamp(folder)

    def changed_on_disk(self) -> bool:
        """True when another process committed a newer version since this one last looked."""
        return state_stamp(self.folder) != self._stamp

    def reload(self) -> None:
        """See the latest committed version."""
        self._index.reload()
        state = read_applied(self.folder)
        self.applied_seq = -1 if state is None else int(state["applied_seq"])  # type: ignore[call-overload]
        self._stamp = state_stamp(self.folder)

    # -- writes (writer only) -------------------------------------------------------------
    def _need_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise StoreError("the keyword index was opened read-only")
        return self._writer

    def clear(self) -> None:
        """Remove every entry (before a rebuild)."""
        self._need_writer().delete_all_documents()

    def remove_document(self, doc_id: str) -> None:
        """Remove a document's entries."""
        self._need_writer().delete_documents_by_term("doc_id", doc_id)

    def add(self, doc_id: str, rows: Iterable[tuple[int, str, str]]) -> None:
        """Add (chunk key, text, context) entries for a document."""
        writer = self._need_writer()
        for key, text, context in rows:
            writer.add_document(tantivy.Document(chunk_key=key, doc_id=doc_id, text=text, context=context))

    def commit(self, applied_seq: int) -> None:
        """Make the changes durable, then record which store change they reflect."""
        self._need_writer().commit()
        write_applied(self.folder, {"applied_seq": applied_seq})
        self._index.reload()
        self.applied_seq = applied_seq
        self._stamp = state_stamp(self.folder)

    def close(self) -> None:
        """Drop the writer (releases tantivy's own lock)."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    # -- search ---------------------------------------------------------------------------
    def search(
        self, query: str, top_k: int, allowed_doc_ids: set[str] | None = None
    ) -> list[tuple[int, float]]:
        """The ``top_k`` (chunk key, BM25 score) pairs, best first.

        ``allowed_doc_ids`` restricts the search to those documents (None: all).
        """
        terms = query_terms(query)
        if not terms or (allowed_doc_ids is not None and not allowed_doc_ids):
            return []
        parsed = self._index.parse_query(
            " ".join(terms), ["text", "context"], field_boosts={"context": _CONTEXT_BOOST}
        )
        if allowed_doc_ids is not None:
            only = tantivy.Query.const_score_query(
                tantivy.Query.term_set_query(self.schema, "doc_id", sorted(allowed_doc_ids)), 0.0
            )
            parsed = tantivy.Query.boolean_query([(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, only)])
        searcher = self._index.searcher()
        hits = searcher.search(parsed, top_k, count=False).hits
        keys = searcher.fast_field_values("chunk_key", [address for _, address in hits])
        return [(int(key), float(score)) for key, (score, _) in zip(keys, hits, strict=True) if key is not None]

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)
