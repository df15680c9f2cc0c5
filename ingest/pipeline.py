"""The indexing pipelines, for one source file at a time: parse (convert -> split), then embed -> write.

They are two pipelines so that a job can parse the next files in a background thread while the
model embeds the current one (see ``ingest.service``).
"""

from __future__ import annotations

from haystack import Pipeline

from ingest.components import PassageEmbedder, PassageSplitter, SourceConverter, StoreWriter
from search.embedding import Embedder
from search.settings import Settings
from search.store.protocol import ChunkStore


def build_parsing_pipeline(settings: Settings) -> Pipeline:
    """A pipeline that reads one file into its text, metadata and passages (no model, no store).

    Inputs: ``converter.path``, ``converter.overrides``, ``splitter.doc_id``. Outputs (ask for
    them with ``include_outputs_from={"converter"}``): ``converter.parsed``, ``converter.metadata``
    and ``splitter.chunks``.
    """
    pipeline = Pipeline()
    pipeline.add_component(
        "converter",
        SourceConverter(
            max_bytes=settings.max_file_bytes, max_pages=settings.max_pages, default_access=settings.default_access
        ),
    )
    pipeline.add_component(
        "splitter",
        PassageSplitter(target_words=settings.chunk_target_words, max_words=settings.chunk_max_words),
    )
    pipeline.connect("converter.parsed", "splitter.parsed")
    return pipeline


def build_embedding_pipeline(store: ChunkStore, embedder: Embedder) -> Pipeline:
    """A pipeline that embeds one parsed document's passages and writes it to the store.

    Inputs: ``embedder.chunks``, ``embedder.metadata``, ``writer.parsed``, ``writer.metadata``,
    ``writer.doc_id``, ``writer.source``, ``writer.content_hash``. Output: ``writer.documents``.
    """
    pipeline = Pipeline()
    pipeline.add_component("embedder", PassageEmbedder(embedder=embedder))
    pipeline.add_component("writer", StoreWriter(store=store))
    pipeline.connect("embedder.chunks", "writer.chunks")
    return pipeline
