"""The embedding model's runtimes side by side: speed, work done against the machine's peak, and quality.

- **Throughput**: passages of about 128 and 256 tokens, cut from the real documents, embedded by
  the configured runtime (ONNX Runtime, int8 weights, length-sorted batches) beside the plain
  sentence-transformers path (PyTorch, float32, batches in arrival order).
- **Work rate**: the model's floating-point operations per second (see ``model_flops``) beside
  the peak this machine reaches on one large matrix product of the model's own shape, float32 and
  int8, measured here with ONNX Runtime.

The cost of quantisation in retrieval quality is measured in :mod:`ingest.benchmark.quality`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from ingest.benchmark.figures import Figure
from search.embedding import Embedder, model_path
from search.onnx_encoder import model_flops, truncating_tokenizer
from search.onnx_export import quantise_weights
from search.settings import Settings

BASELINE_RUNTIME = "torch"
PEAK_TOKENS = 4096


def runtime_embedders(settings: Settings, runtimes: Sequence[str]) -> dict[str, Embedder]:
    """A loaded embedder per runtime name (the settings' other values shared)."""
    embedders = {}
    for runtime in runtimes:
        embedder = Embedder(replace(settings, embedding_runtime=runtime))
        embedder.warm_up()
        embedders[runtime] = embedder
    return embedders


def passages_of_tokens(texts: Sequence[str], embedder: Embedder, tokens: int, count: int) -> list[str]:
    """``count`` passages of about ``tokens`` tokens each, cut from consecutive words of ``texts``."""
    words = " ".join(texts).split()
    probe = [" ".join(words[start : start + 100]) for start in range(0, min(len(words), 5000) - 100, 100)]
    tokens_per_word = (sum(_token_counts(embedder, probe)) - 2 * len(probe)) / (100 * max(1, len(probe)))
    size = max(8, int(round((tokens - 2) / max(tokens_per_word, 0.5))))
    passages = [" ".join(words[start : start + size]) for start in range(0, len(words) - size, size)]
    if not passages:
        raise ValueError(f"the texts hold fewer than {size} words: give more documents")
    step = max(1, len(passages) // count)
    return passages[::step][:count]


def _token_counts(embedder: Embedder, texts: Sequence[str]) -> list[int]:
    tokenizer = truncating_tokenizer(Path(model_path(embedder.settings)))
    return [len(encoding.ids) for encoding in tokenizer.encode_batch(list(texts))]


def throughput_figures(
    texts: Sequence[str], embedders: dict[str, Embedder], ours: str, *, count: int, repeats: int = 3,
    log: Callable[[str], None] = print,
) -> list[Figure]:
    """Passages per second and model GFLOP/s at about 128 and 256 tokens, ours beside the baseline."""
    folder = Path(model_path(embedders[ours].settings))
    peak = peak_gflops()
    figures = []
    for tokens in (128, 256):
        passages = passages_of_tokens(texts, embedders[ours], tokens, count)
        counts = _token_counts(embedders[ours], passages)
        flops = model_flops(folder, counts)
        rates = {}
        for runtime in (ours, BASELINE_RUNTIME):
            embedders[runtime].embed_array(passages[:16])
            seconds = []
            for _ in range(repeats):
                started = time.perf_counter()
                embedders[runtime].embed_array(passages)
                seconds.append(time.perf_counter() - started)
            rates[runtime] = len(passages) / float(np.median(seconds))
            log(f"embedding: {runtime} at {tokens} tokens: {rates[runtime]:.1f} passages/s")
        note = (f"{len(passages)} real passages, mean {np.mean(counts):.0f} tokens; median of {repeats}; "
                f"ours {ours}, baseline sentence-transformers (PyTorch float32)")
        figures.append(Figure(f"embed passages of ~{tokens} tokens", "chunks/s", rates[ours],
                              rates[BASELINE_RUNTIME], note=note))
        per_passage = flops / len(passages) / 1e9
        figures.append(Figure(
            f"model work rate at ~{tokens} tokens", "GFLOP/s", rates[ours] * per_passage,
            rates[BASELINE_RUNTIME] * per_passage,
            note=f"{per_passage:.2f} GFLOP a passage; peak here: {peak['float32']:.0f} float32, "
                 f"{peak['int8']:.0f} int8 (one large product of the model's shape)",
        ))
    figures.append(Figure("machine peak, float32 product", "GFLOP/s", peak["float32"],
                          note=f"ONNX Runtime MatMul [{PEAK_TOKENS}x384]x[384x1536], best of 5"))
    figures.append(Figure("machine peak, int8 product", "GOP/s", peak["int8"],
                          note="the same product with int8 weights (dynamic quantisation), best of 5"))
    return figures


def peak_gflops() -> dict[str, float]:
    """Best rate of one [PEAK_TOKENS x 384] x [384 x 1536] product (the feed-forward shape), float32 and int8."""
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = rng.standard_normal((384, 1536)).astype(np.float32) / 20
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "product",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 384])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1536])],
        [numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    inputs = {"x": rng.standard_normal((PEAK_TOKENS, 384)).astype(np.float32)}
    flops = 2.0 * PEAK_TOKENS * 384 * 1536
    rates = {}
    with tempfile.TemporaryDirectory(prefix="lessons-peak-") as folder:
        float_file, int8_file = Path(folder) / "float.onnx", Path(folder) / "int8.onnx"
        onnx.save(model, float_file)
        quantise_weights(float_file, int8_file)
        for name, path in (("float32", float_file), ("int8", int8_file)):
            session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            session.run(None, inputs)
            seconds = []
            for _ in range(5):
                started = time.perf_counter()
                session.run(None, inputs)
                seconds.append(time.perf_counter() - started)
            rates[name] = flops / min(seconds) / 1e9
    return rates
