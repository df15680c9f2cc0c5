"""Errors when OpenSearch is unreachable, refuses the credentials, or holds another model's index.

A real client makes real HTTP requests: to a closed port, and to a small local HTTP server that
answers as a cluster would in each case (plumbing of the error messages, not a stand-in for
OpenSearch: the store's behaviour is tested against a live cluster in the conformance suite).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from search.errors import IndexMismatchError, StoreAuthError, StoreUnreachableError
from search.settings import load_settings
from search.store.factory import open_store
from search.store.opensearch.mappings import chunk_mappings


def _settings(url: str, **overrides):
    return load_settings(
        {"store": "opensearch", "opensearch_url": url, "opensearch_timeout_s": 0.5, **overrides}, environ={}
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Cluster(BaseHTTPRequestHandler):
    """Answers every request with the status and JSON body the test set (after an optional delay)."""

    answer: tuple[int, dict] = (200, {})
    routes: dict[tuple[str, str], tuple[int, dict]] = {}
    delay_s = 0.0

    def _reply(self) -> None:
        time.sleep(self.delay_s)
        status, body = self.routes.get((self.command, self.path.split("?")[0]), self.answer)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def cluster() -> Iterator[tuple[str, type[_Cluster]]]:
    handler = type("Handler", (_Cluster,), {"routes": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_cluster_names_the_url_and_the_fix():
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(StoreUnreachableError) as caught:
        open_store(_settings(url), writable=False)
    assert str(caught.value) == (
        f"cannot reach OpenSearch at {url} (connection refused): start it with `docker compose up -d opensearch` "
        "or set LESSONS_STORE=embedded"
    )


def test_tls_to_a_plain_http_port_says_what_to_check(cluster):
    url, _ = cluster
    with pytest.raises(StoreUnreachableError, match="TLS failed.*LESSONS_OPENSEARCH_VERIFY_CERTS=false.*scheme"):
        open_store(_settings(url.replace("http://", "https://")), writable=False)


def test_a_slow_cluster_names_the_timeout_setting(cluster):
    url, handler = cluster
    handler.delay_s = 2.0
    with pytest.raises(StoreUnreachableError, match=r"did not answer within 0.5 s.*LESSONS_OPENSEARCH_TIMEOUT_S"):
        open_store(_settings(url), writable=False)


def test_wrong_credentials_name_the_password_variable(cluster, monkeypatch):
    url, handler = cluster
    handler.answer = (401, {"error": "Unauthorized"})
    monkeypatch.setenv("LESSONS_OPENSEARCH_PASSWORD", "not-the-password")
    with pytest.raises(
        StoreAuthError,
        match=(
            rf"OpenSearch at {url} refused the credentials \(user 'admin'\): set LESSONS_OPENSEARCH_PASSWORD to the "
            "password of LESSONS_OPENSEARCH_USER=admin"
        ),
    ):
        open_store(_settings(url), writable=False)
    monkeypatch.delenv("LESSONS_OPENSEARCH_PASSWORD")
    with pytest.raises(StoreAuthError, match=r"\(no password was sent\)"):
        open_store(_settings(url), writable=False)


def test_a_forbidden_index_names_the_user_and_the_index(cluster):
    url, handler = cluster
    handler.answer = (403, {})  # a HEAD answer has no body
    with pytest.raises(StoreAuthError, match=rf"user 'reader' may not open the index 'lessons' at {url} \(HTTP 403\)"):
        open_store(_settings(url, opensearch_user="reader"), writable=False)
    handler.routes[("HEAD", "/lessons")] = (200, {})
    handler.routes[("GET", "/lessons/_mapping")] = (
        403,
        {"error": {"type": "security_exception", "reason": "no permissions for [indices:admin/mappings/get]"}},
    )
    with pytest.raises(
        StoreAuthError,
        match=(r"\(security_exception: no permissions for \[indices:admin/mappings/get\]\): grant that user a role"),
    ):
        open_store(_settings(url, opensearch_user="reader"), writable=False)


def test_an_index_of_another_model_is_refused_with_the_fix(cluster):
    url, handler = cluster
    handler.routes[("HEAD", "/lessons")] = (200, {})
    handler.routes[("GET", "/lessons/_mapping")] = (200, {"lessons": {"mappings": chunk_mappings("bge-base-en", 768)}})
    with pytest.raises(IndexMismatchError) as caught:
        open_store(_settings(url), writable=False)
    assert str(caught.value) == (
        f"the OpenSearch index 'lessons' at {url} cannot be used: it was built with model bge-base-en (768-d vectors), "
        "not all-MiniLM-L6-v2 (384-d): set LESSONS_MODEL=bge-base-en to search it, or set LESSONS_OPENSEARCH_INDEX "
        "to a new index name and run `lessons ingest` again"
    )


def test_an_index_that_is_not_ours_is_refused(cluster):
    url, handler = cluster
    handler.routes[("HEAD", "/logs")] = (200, {})
    handler.routes[("GET", "/logs/_mapping")] = (
        200,
        {"logs": {"mappings": {"properties": {"message": {"type": "text"}}}}},
    )
    with pytest.raises(IndexMismatchError, match="'logs' .* it is not a Lessons index.*LESSONS_OPENSEARCH_INDEX"):
        open_store(_settings(url, opensearch_index="logs"), writable=False)
