"""Lessons' benchmark: ingestion throughput, query latency at scale and retrieval quality.

Every figure is measured beside Haystack's InMemoryDocumentStore in the same run on the same
data. Run it with ``python -m ingest.benchmark --out bench-results`` (``make bench``).
"""
