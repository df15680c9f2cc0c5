"""Runs an exported embedding model with ONNX Runtime: tokenise, batch by length, embed.

Texts are sorted by token count and batched in that order, so each batch pads to nearly its own
length instead of the longest text of the job; results come back in the order given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from search.errors import ModelError

TOKENS_PER_BATCH = 8192
"""Most padded tokens one model call holds (long passages get smaller batches)."""


class OnnxEncoder:
    """Embeds texts with an ONNX copy of a sentence-transformers model on the CPU.

    Parameters:
        model_file: the exported ``.onnx`` file (see :mod:`search.onnx_export`).
        model_folder: the original model folder (its ``tokenizer.json`` and sequence limit).
        threads: CPU threads for the model (0: every core).
        batch_size: most texts per model call.
    """

    def __init__(self, model_file: Path, model_folder: Path, *, threads: int = 0, batch_size: int = 64) -> None:
        import onnxruntime

        self.tokenizer = truncating_tokenizer(model_folder)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        """Length of the embeddings."""
        return int(self.encode(["dimension"]).shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The normalised embeddings of ``texts``, one row each, in order (float32)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(encoding.ids) for encoding in encodings], dtype=np.int64)
        result = np.zeros((len(texts), 0), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        for rows in _batches(lengths[order], self.batch_size):
            chosen = order[rows]
            vectors = self._run([encodings[i].ids for i in chosen], int(lengths[chosen].max()))
            if result.shape[1] == 0:
                result = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            result[chosen] = vectors
        return result

    def _run(self, token_ids: list[list[int]], width: int) -> np.ndarray:
        ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(self.session.run(["embedding"], inputs)[0], dtype=np.float32)


def _batches(sorted_lengths: np.ndarray, batch_size: int) -> list[slice]:
    """Consecutive runs of length-sorted texts: at most ``batch_size`` texts and ``TOKENS_PER_BATCH``
    padded tokens each (the last text of a run is its longest)."""
    runs, start = [], 0
    for end in range(1, len(sorted_lengths) + 1):
        at_end = end == len(sorted_lengths)
        if at_end or end - start >= batch_size or (end - start + 1) * sorted_lengths[end] > TOKENS_PER_BATCH:
            runs.append(slice(start, end))
            start = end
    return runs


def truncating_tokenizer(model_folder: Path) -> Any:
    """The model's fast tokenizer (``tokenizer.json``), cutting texts at the model's sequence limit.

    Raises ModelError naming the folder when it has no ``tokenizer.json``.
    """
    from tokenizers import Tokenizer

    tokenizer_file = model_folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ModelError(
            f"the model folder {model_folder} has no tokenizer.json: use a sentence-transformers "
            "model saved with a fast tokenizer, or set LESSONS_EMBEDDING_RUNTIME=torch"
        )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(_sequence_limit(model_folder))
    tokenizer.no_padding()
    return tokenizer


def _sequence_limit(model_folder: Path) -> int:
    """The longest input the model was trained on (sentence-transformers' ``max_seq_length``)."""
    config = model_folder / "sentence_bert_config.json"
    try:
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 512))
    except (OSError, ValueError):
        return 512


def model_flops(model_folder: Path, token_counts: Sequence[int]) -> float:
    """Floating-point operations the transformer spends on sequences of these token counts.

    Counts the matrix products (two operations per multiply-add): per layer and token the four
    attention projections and the two feed-forward products, plus the attention scores and the
    weighted sum, which grow with sequence length. Embedding look-ups, norms and softmax are left
    out (a few per cent).
    """
    config = json.loads((model_folder / "config.json").read_text(encoding="utf-8"))
    hidden, inner, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    total = 0.0
    for tokens in token_counts:
        per_layer = tokens * (4 * hidden * hidden + 2 * hidden * inner) + 2 * tokens * tokens * hidden
        total += 2.0 * layers * per_layer
    return total
