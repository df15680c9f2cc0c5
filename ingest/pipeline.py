"""The indexing pipeline: convert -> split -> embed -> write, for one source file at a time."""

from __future__ import annotations

from haystack import Pipeline

from ingest.components import PassageEmbedder, PassageSplitter, SourceConverter, StoreWriter
from search.embedding import Embedder
from search.settings import Settings
from search.store.protocol import ChunkStore


def build_indexing_pipeline(store: ChunkStore, embedder: Embedder, settings: Settings) -> Pipeline:
    """A pipeline that indexes one file.

    Inputs: ``converter.path``, ``converter.overrides``, ``splitter.doc_id``, ``writer.doc_id``,
    ``writer.source``, ``writer.content_hash``. Output: ``writer.documents``.
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
    pipeline.add_component("embedder", PassageEmbedder(embedder=embedder))
    pipeline.add_component("writer", StoreWriter(store=store))
    pipeline.connect("converter.parsed", "splitter.parsed")
    pipeline.connect("converter.parsed", "writer.parsed")
    pipeline.connect("converter.metadata", "embedder.metadata")
    pipeline.connect("converter.metadata", "writer.metadata")
    pipeline.connect("splitter.chunks", "embedder.chunks")
    pipeline.connect("embedder.chunks", "writer.chunks")
    return pipeline
