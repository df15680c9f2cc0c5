"""The optional reranking stage: a cross-encoder re-scores the head of the fused ranking.

No trained cross-encoder ships offline, so the test builds one from the packaged MiniLM weights
(its scoring head is untrained, but fixed once saved): what is tested is that the service orders
the head by that model's scores and keeps the tail behind it.
"""

from __future__ import annotations

import pytest
from sentence_transformers import CrossEncoder

from search.embedding import model_path
from search.errors import SettingsError
from search.service import SearchService
from search.settings import load_settings


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory, sample_settings):
    folder = tmp_path_factory.mktemp("cross-encoder")
    CrossEncoder(model_path(sample_settings), num_labels=1).save(str(folder))
    return folder


def test_reranker_orders_the_head_by_cross_encoder_scores(sample_settings, embedder, cross_encoder_dir):
    question = "how quickly must the hub decide what to do about a referral?"
    plain = SearchService(sample_settings, embedder=embedder).search(question, top_k=30)
    settings = load_settings(
        {"data_dir": sample_settings.data_dir, "reranker": str(cross_encoder_dir), "rerank_depth": 10}, environ={}
    )
    reranked = SearchService(settings, embedder=embedder).search(question, top_k=30)

    head = reranked.hits[:10]
    assert {h.chunk_id for h in head} == {h.chunk_id for h in plain.hits[:10]}
    assert [h.chunk_id for h in reranked.hits[10:]] == [h.chunk_id for h in plain.hits[10:]]
    scores = CrossEncoder(str(cross_encoder_dir)).predict([(question, h.text) for h in head])
    assert list(scores) == sorted(scores, reverse=True)


def test_reranker_setting_must_name_a_folder(tmp_path):
    with pytest.raises(SettingsError, match="setting reranker = .* is not a folder holding a cross-encoder"):
        load_settings({"reranker": str(tmp_path / "absent")}, environ={})
