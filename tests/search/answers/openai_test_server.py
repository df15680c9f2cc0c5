"""A local OpenAI-compatible chat endpoint for tests: a fixed reply, and the last request it got.

Serves ``POST /v1/chat/completions`` on 127.0.0.1 (a free port) from a background thread. The
``mode`` says how it answers: 'reply' (a chat completion holding ``reply``), 'slow' (waits
``delay_s`` before answering, to trip a client's timeout), 'error' (HTTP 500) or 'malformed'
(HTTP 200 with a body that is not a chat completion).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class OpenAITestServer:
    """The test endpoint; use it as a context manager, or call ``start()`` and ``stop()``.

    Attributes:
        reply: the assistant text returned in 'reply' mode.
        mode: 'reply', 'slow', 'error' or 'malformed'.
        delay_s: how long 'slow' mode waits.
        last_body: the JSON body of the last request (None before one arrives).
        last_headers: that request's headers, lower-cased names.
        requests: how many requests arrived.
    """

    def __init__(self, reply: str = "", *, mode: str = "reply", delay_s: float = 5.0) -> None:
        self.reply = reply
        self.mode = mode
        self.delay_s = delay_s
        self.last_body: dict[str, Any] | None = None
        self.last_headers: dict[str, str] = {}
        self.requests = 0
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The endpoint's base URL, ending in /v1."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> OpenAITestServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (a request waiting in 'slow' mode is released)."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def completion(self) -> dict[str, Any]:
        """The chat completion returned in 'reply' mode."""
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": (self.last_body or {}).get("model", "test-model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server.requests += 1
                server.last_headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    server.last_body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    server.last_body = {"unparsed": raw.decode("utf-8", "replace")}
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                elif server.mode == "slow":
                    server._stopping.wait(server.delay_s)
                    self._send(200, server.completion())
                elif server.mode == "error":
                    self._send(500, {"error": {"message": "internal error", "type": "server_error"}})
                elif server.mode == "malformed":
                    self._send(200, {"unexpected": "shape"})
                else:
                    self._send(200, server.completion())

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler
