"""Bulk writes to OpenSearch with retries, and one clear sentence per rejected item.

``opensearchpy.helpers.streaming_bulk`` sends the actions in chunks and retries items the
cluster turned away for being busy (HTTP 429) with a doubling back-off; a dropped connection or
a timeout is retried by the client itself. What is still rejected after that (a field the mapping
refuses, a vector of the wrong length) comes back as one line per item for the caller to report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import streaming_bulk

BUSY_RETRIES = 5
"""Retries of items rejected with 429 (the cluster's write queue is full)."""

FIRST_BACKOFF_S = 1
"""Seconds before the first retry; each further one waits twice as long, at most ``MAX_BACKOFF_S``."""

MAX_BACKOFF_S = 30

ACTIONS_PER_REQUEST = 500
"""Items per bulk request (a request also stays under ``BYTES_PER_REQUEST``)."""

BYTES_PER_REQUEST = 20 * 1024 * 1024


def describe_rejection(item: dict[str, Any]) -> str:
    """One sentence for a failed bulk item: its index, its id, the cluster's reason.

    ``item`` is what ``streaming_bulk`` yields for a failure: ``{op_type: {"_index", "_id",
    "status", "error"}}``.
    """
    op_type, info = next(iter(item.items()))
    error = info.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        caused = error.get("caused_by")
        if isinstance(caused, dict) and caused.get("reason"):
            reason += f" ({caused['reason']})"
    else:
        reason = str(error or f"HTTP {info.get('status')}")
    return f"{op_type} of {info.get('_id')} in {info.get('_index')} rejected (HTTP {info.get('status')}): {reason}"


def write_bulk(client: OpenSearch, actions: Iterable[dict[str, Any]], *, refresh: bool | str = False) -> list[str]:
    """Send index and delete actions; returns one sentence per item still rejected after retries.

    A delete of something already gone (404) is not a rejection. Connection failures raise
    opensearch-py's exceptions (translate them with ``translated_errors``).
    """
    rejections: list[str] = []
    for ok, item in streaming_bulk(
        client,
        actions,
        chunk_size=ACTIONS_PER_REQUEST,
        max_chunk_bytes=BYTES_PER_REQUEST,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=BUSY_RETRIES,
        initial_backoff=FIRST_BACKOFF_S,
        max_backoff=MAX_BACKOFF_S,
        yield_ok=False,
        refresh=refresh,
    ):
        if ok:
            continue
        op_type, info = next(iter(item.items()))
        if op_type == "delete" and info.get("status") == 404:
            continue
        rejections.append(describe_rejection(item))
    return rejections
