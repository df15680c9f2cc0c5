"""The OpenSearch settings: defaults, environment, validation messages, the password from the environment."""

from __future__ import annotations

import pytest

from search.errors import SettingsError
from search.settings import load_settings
from search.store.opensearch.connection import client_options, node_urls


def test_defaults_and_environment():
    settings = load_settings(
        environ={
            "LESSONS_STORE": "opensearch",
            "LESSONS_OPENSEARCH_URL": "https://a:9200, https://b:9200/",
            "LESSONS_OPENSEARCH_VERIFY_CERTS": "false",
            "LESSONS_OPENSEARCH_SHARDS": "3",
        }
    )
    assert settings.store == "opensearch" and settings.opensearch_index == "lessons"
    assert node_urls(settings) == ["https://a:9200", "https://b:9200"]
    assert (settings.opensearch_verify_certs, settings.opensearch_shards, settings.opensearch_replicas) == (False, 3, 1)
    assert settings.origin("opensearch_verify_certs") == "LESSONS_OPENSEARCH_VERIFY_CERTS"


def test_the_password_comes_only_from_the_named_environment_variable(monkeypatch):
    settings = load_settings({"opensearch_password_env": "MY_CLUSTER_PASSWORD"}, environ={})
    monkeypatch.delenv("MY_CLUSTER_PASSWORD", raising=False)
    assert client_options(settings)["http_auth"] is None
    monkeypatch.setenv("MY_CLUSTER_PASSWORD", "s3cret!")
    assert client_options(settings)["http_auth"] == ("admin", "s3cret!")
    assert "s3cret!" not in repr(settings.describe())


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"LESSONS_STORE": "elastic"},
            "setting store = 'elastic' (from LESSONS_STORE) is not a known store: use 'embedded' or 'opensearch'",
        ),
        (
            {"LESSONS_OPENSEARCH_URL": "localhost:9200"},
            "is not a list of http(s) URLs: give e.g. https://localhost:9200",
        ),
        (
            {"LESSONS_OPENSEARCH_INDEX": "My Index"},
            "setting opensearch_index = 'My Index' (from LESSONS_OPENSEARCH_INDEX) is not a usable index name",
        ),
        (
            {"LESSONS_OPENSEARCH_SHARDS": "0"},
            "setting opensearch_shards = 0 (from LESSONS_OPENSEARCH_SHARDS) must be at least 1",
        ),
        ({"LESSONS_OPENSEARCH_REPLICAS": "-1"}, "must be 0 or more"),
        ({"LESSONS_OPENSEARCH_VERIFY_CERTS": "perhaps"}, "is not a valid bool"),
        ({"LESSONS_OPENSEARCH_CA_CERTS": "/no/such/ca.pem"}, "is not a file: give the path of a PEM CA bundle"),
    ],
)
def test_bad_values_are_named_with_their_origin(environ, message):
    with pytest.raises(SettingsError) as caught:
        load_settings(environ=environ)
    assert message in str(caught.value)
