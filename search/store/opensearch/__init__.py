"""The OpenSearch backend: the store for when one machine is not enough (``store = "opensearch"``)."""

from search.store.opensearch.store import OpenSearchStore

__all__ = ["OpenSearchStore"]
