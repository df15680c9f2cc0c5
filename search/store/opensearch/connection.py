"""Connecting to OpenSearch, and turning its failures into typed errors that say the fix.

Only this module knows how opensearch-py reports trouble: every call the backend makes runs
inside :func:`translated_errors`, so the rest of Lessons sees ``StoreUnreachableError``,
``StoreAuthError`` or ``StoreError`` naming the URL or the index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from search.errors import StoreAuthError, StoreError, StoreUnreachableError
from search.settings import Settings, env_name, environment_flag

log = logging.getLogger(__name__)

START_HINT = "start it with `docker compose up -d opensearch` or set LESSONS_STORE=embedded"
"""What to do when the configured cluster is not there."""

RETRIES = 3
"""Attempts per request on a dropped connection or a timeout (opensearch-py retries other nodes first)."""


def node_urls(settings: Settings) -> list[str]:
    """The node URLs of setting ``opensearch_url`` (comma-separated)."""
    return [url.strip().rstrip("/") for url in settings.opensearch_url.split(",") if url.strip()]


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``opensearchpy.OpenSearch`` (and the Haystack integration's store).

    The password comes from the environment variable that ``opensearch_password_env`` names;
    without one, no credentials are sent (a cluster without the security plugin).
    """
    password = environment_flag(settings.opensearch_password_env)
    options: dict[str, Any] = {
        "hosts": node_urls(settings),
        "http_auth": (settings.opensearch_user, password) if password else None,
        "verify_certs": settings.opensearch_verify_certs,
        "ssl_show_warn": settings.opensearch_verify_certs,
        "timeout": settings.opensearch_timeout_s,
        "max_retries": RETRIES,
        "retry_on_timeout": True,
    }
    if settings.opensearch_ca_certs:
        options["ca_certs"] = settings.opensearch_ca_certs
    return options


def connect(settings: Settings) -> OpenSearch:
    """A client for the configured cluster (no request is made yet)."""
    if not settings.opensearch_verify_certs:
        log.warning(
            "not verifying the TLS certificate of %s (opensearch_verify_certs = false)", settings.opensearch_url
        )
    return OpenSearch(**client_options(settings))


def _status_reason(exc: os_errors.TransportError) -> str:
    info = exc.info
    if isinstance(info, dict) and isinstance(info.get("error"), dict):
        error = info["error"]
        return f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    return str(exc.error or f"HTTP {exc.status_code}")


@contextmanager
def translated_errors(settings: Settings, *, index: str | None = None, doing: str = "use") -> Iterator[None]:
    """Run OpenSearch calls, turning opensearch-py's exceptions into Lessons' typed errors.

    Parameters:
        settings: names the URL, user and password variable in the messages.
        index: the index being used, named in the messages.
        doing: what was being done, e.g. "search" or "write to" (fits "cannot ... the index").
    """
    url = settings.opensearch_url
    where = f"index {index!r} at {url}" if index else url
    try:
        yield
    except os_errors.SSLError as exc:
        raise StoreUnreachableError(
            f"cannot reach OpenSearch at {url} (TLS failed: {exc.info}): for a development cluster with its "
            f"self-signed certificate set {env_name('opensearch_verify_certs')}=false, for a private CA set "
            f"{env_name('opensearch_ca_certs')}=PATH, and check the URL's scheme (https:// with the security plugin)"
        ) from None
    except os_errors.ConnectionTimeout:
        raise StoreUnreachableError(
            f"OpenSearch at {url} did not answer within {settings.opensearch_timeout_s:g} s: check the cluster's "
            f"health, or raise {env_name('opensearch_timeout_s')}"
        ) from None
    except os_errors.ConnectionError as exc:
        raise StoreUnreachableError(
            f"cannot reach OpenSearch at {url} ({_connection_reason(exc)}): {START_HINT}"
        ) from None
    except os_errors.AuthenticationException:
        variable = settings.opensearch_password_env
        sent = "no password was sent" if not environment_flag(variable) else f"user {settings.opensearch_user!r}"
        raise StoreAuthError(
            f"OpenSearch at {url} refused the credentials ({sent}): set {variable} to the password of "
            f"{env_name('opensearch_user')}={settings.opensearch_user} (for the development cluster, the "
            "OPENSEARCH_INITIAL_ADMIN_PASSWORD it was started with)"
        ) from None
    except os_errors.AuthorizationException as exc:
        raise StoreAuthError(
            f"user {settings.opensearch_user!r} may not {doing} the {where} ({_status_reason(exc)}): grant that user "
            "a role with read and write on the index and its -documents, -pages and -reports companions"
        ) from None
    except os_errors.TransportError as exc:
        raise StoreError(
            f"OpenSearch could not {doing} the {where} (HTTP {exc.status_code}, {_status_reason(exc)}): "
            "check the cluster's logs; `lessons check` lists what is inconsistent"
        ) from None


def _connection_reason(exc: os_errors.ConnectionError) -> str:
    text = str(exc.info)
    for phrase in (
        "Connection refused",
        "Name or service not known",
        "No route to host",
        "timed out",
        "Remote end closed connection",
        "Connection reset",
    ):
        if phrase.lower() in text.lower():
            return phrase.lower()
    return text[:200]
