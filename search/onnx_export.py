"""ONNX copies of the embedding model, made once from the local weights and kept in a cache folder.

The exported graph takes token ids and returns the pooled, normalised sentence embedding, so the
runtime does no work in Python beyond tokenising. ``onnx-int8`` then stores the weights of every
matrix product as 8-bit integers with one scale per output channel (ONNX Runtime's dynamic
quantisation); activations stay float and are quantised per batch at run time.

Exporting needs PyTorch and the ``onnx`` package; running the copy needs neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from importlib.metadata import version
from pathlib import Path

from search.errors import ModelError

EXPORT_VERSION = 1
"""Bumped whenever the exported graph changes, so old cached copies are not reused."""

VARIANTS = ("onnx", "onnx-int8")


def cached_onnx_model(model_folder: Path, cache_folder: Path, variant: str) -> Path:
    """The ONNX file of ``variant`` for the model in ``model_folder``, exported on first use.

    Parameters:
        model_folder: a sentence-transformers model folder (config, tokenizer, weights).
        cache_folder: where exported copies live (one sub-folder per model and variant).
        variant: 'onnx' (float32) or 'onnx-int8'.

    Returns the path of the ``.onnx`` file. Raises ModelError when the export fails.
    """
    if variant not in VARIANTS:
        raise ModelError(f"no ONNX variant {variant!r}: use one of {', '.join(VARIANTS)}")
    target = cache_folder.expanduser() / _cache_key(model_folder) / f"{variant}.onnx"
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(
            f"cannot create the model cache {target.parent} ({exc.strerror}): set LESSONS_MODEL_CACHE to a writable folder"
        ) from None
    float_model = target.parent / "onnx.onnx"
    if not float_model.is_file():
        _atomic(float_model, lambda temporary: _export(model_folder, temporary))
    if variant == "onnx-int8":
        _atomic(target, lambda temporary: quantise_weights(float_model, temporary))
    return target


def _cache_key(model_folder: Path) -> str:
    """Names the export by what it came from: the weights' size and time, and the tool versions."""
    weights = sorted(model_folder.glob("*.safetensors")) + sorted(model_folder.glob("*.bin"))
    facts = [str(model_folder.resolve()), EXPORT_VERSION, version("onnxruntime")]
    facts += [(path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in weights]
    digest = hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:16]
    return f"{model_folder.name}-{digest}"


def _atomic(target: Path, write) -> None:  # type: ignore[no-untyped-def]
    """Write through a temporary file in the same folder, so a killed export leaves nothing half-done."""
    handle, name = tempfile.mkstemp(prefix=target.stem + ".", suffix=".partial", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.replace(temporary, target)
    except ModelError:
        raise
    except Exception as exc:  # the export libraries raise many kinds of error
        raise ModelError(
            f"cannot export the model to ONNX at {target} ({type(exc).__name__}: {exc}): set "
            "LESSONS_EMBEDDING_RUNTIME=torch to run it with sentence-transformers instead"
        ) from None
    finally:
        temporary.unlink(missing_ok=True)


def _export(model_folder: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_folder), local_files_only=True)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_folder), local_files_only=True)
    example = tokenizer(["an example", "a second, longer example"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _pooled_encoder(model), tuple(example[name] for name in names), str(target),
            input_names=names, output_names=["embedding"], dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )


def quantise_weights(float_model: Path, target: Path) -> None:
    """Write ``target``: ``float_model`` with int8 weights, one scale per output channel, for every MatMul."""
    import logging

    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the quantiser logs advice about pre-processing at WARNING
    try:
        quantize_dynamic(
            str(float_model), str(target), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul"], extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        quiet.setLevel(level)


def _pooled_encoder(transformer):  # type: ignore[no-untyped-def]
    """The transformer followed by mean pooling over real tokens and L2 normalisation (a torch module)."""
    import torch

    class PooledEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            states = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    return PooledEncoder()
