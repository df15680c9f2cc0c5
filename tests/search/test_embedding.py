"""The embedding runtimes: ONNX copies agree with sentence-transformers, batching keeps order, the cache is safe."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from search.embedding import Embedder, chosen_runtime, model_path
from search.errors import ModelError
from search.onnx_encoder import TOKENS_PER_BATCH, _batches, model_flops
from search.onnx_export import cached_onnx_model
from search.settings import Settings
from tests.conftest import SAMPLE_CORPUS, settings_for

TEXTS = [
    "What must a school do when a pupil reports sexual assault by another pupil?",
    "Designated safeguarding lead",
    "The local authority should make a decision within one working day of a referral being received about "
    "the type of response that is required, and acknowledge receipt to the referrer. " * 3,
    "",
    "Recommendation 3: the MASH should record the outcome of every referral and tell the referrer.",
]


@pytest.fixture(scope="module")
def runtimes() -> dict[str, Embedder]:
    base = settings_for(Path("unused"))
    embedders = {name: Embedder(replace(base, embedding_runtime=name)) for name in ("torch", "onnx", "onnx-int8")}
    for embedder in embedders.values():
        embedder.warm_up()
    return embedders


def _cosines(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return np.sum(left * right, axis=1)


def test_onnx_float32_matches_sentence_transformers(runtimes: dict[str, Embedder]) -> None:
    reference = runtimes["torch"].embed_array(TEXTS)
    ours = runtimes["onnx"].embed_array(TEXTS)
    assert ours.shape == (len(TEXTS), 384)
    assert _cosines(ours, reference).min() > 0.9999


def test_onnx_int8_stays_close_to_float32(runtimes: dict[str, Embedder]) -> None:
    sample = sorted((SAMPLE_CORPUS.parent / "sources").glob("*.md"))[:8]
    passages = [path.read_text(encoding="utf-8")[:1200] for path in sample] + TEXTS
    reference = runtimes["torch"].embed_array(passages)
    ours = runtimes["onnx-int8"].embed_array(passages)
    cosines = _cosines(ours, reference)
    assert cosines.mean() > 0.985, cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)


def test_length_sorted_batches_return_rows_in_the_order_given(runtimes: dict[str, Embedder]) -> None:
    together = runtimes["onnx"].embed_array(TEXTS)
    one_by_one = np.stack([runtimes["onnx"].embed_array([text])[0] for text in TEXTS])
    assert _cosines(together, one_by_one).min() > 0.99999


def test_the_question_and_its_answer_are_nearest_with_every_runtime(runtimes: dict[str, Embedder]) -> None:
    for embedder in runtimes.values():
        vectors = embedder.embed_array(TEXTS)
        question = np.asarray(embedder.embed_query("what did the review recommend about recording MASH referrals"))
        assert int(np.argmax(vectors @ question)) == 4


def test_batches_respect_the_row_and_token_limits() -> None:
    lengths = np.array(sorted([5] * 100 + [256] * 100))
    runs = _batches(lengths, 64)
    assert sum(run.stop - run.start for run in runs) == 200
    assert [run.start for run in runs] == sorted(run.start for run in runs)
    for run in runs:
        assert run.stop - run.start <= 64
        assert (run.stop - run.start) * lengths[run.stop - 1] <= max(TOKENS_PER_BATCH, lengths[run.stop - 1])
    assert _batches(np.array([], dtype=np.int64), 64) == []


def test_model_flops_count_the_matrix_products(embedder: Embedder) -> None:
    folder = Path(model_path(embedder.settings))
    # all-MiniLM-L6-v2: 6 layers, hidden 384, inner 1536.
    per_token = 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)
    attention = 2 * 6 * 2 * 128 * 128 * 384
    assert model_flops(folder, [128]) == pytest.approx(128 * per_token + attention)


def test_auto_runtime_is_onnx_int8_on_a_cpu() -> None:
    settings = settings_for(Path("unused"))
    assert chosen_runtime(replace(settings, device="cpu")) == "onnx-int8"
    assert chosen_runtime(replace(settings, embedding_runtime="torch")) == "torch"


def test_a_partial_export_is_never_used_and_the_cache_is_reused(tmp_path: Path, embedder: Embedder) -> None:
    folder = Path(model_path(embedder.settings))
    first = cached_onnx_model(folder, tmp_path, "onnx-int8")
    assert sorted(path.name for path in first.parent.iterdir()) == ["onnx-int8.onnx", "onnx.onnx"]
    stamp = first.stat().st_mtime_ns
    assert cached_onnx_model(folder, tmp_path, "onnx-int8") == first
    assert first.stat().st_mtime_ns == stamp
    # A killed export leaves only a '.partial' file, which is ignored and rewritten around.
    (first.parent / "onnx-int8.abc.partial").write_bytes(b"half a model")
    first.unlink()
    again = cached_onnx_model(folder, tmp_path, "onnx-int8")
    assert again == first and again.stat().st_size > 10_000_000


def test_a_model_folder_without_a_tokenizer_is_refused_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    settings: Settings = replace(settings_for(tmp_path), model=str(folder), embedding_runtime="onnx")
    with pytest.raises(ModelError) as caught:
        Embedder(settings).warm_up()
    assert str(folder) in str(caught.value)
