"""One clear sentence per item a bulk write could not store."""

from __future__ import annotations

from search.store.opensearch.bulk import describe_rejection


def test_a_mapping_rejection_names_the_item_the_index_and_the_reason():
    item = {
        "index": {
            "_index": "lessons",
            "_id": "doc#3@g1",
            "status": 400,
            "error": {
                "type": "mapper_parsing_exception",
                "reason": "failed to parse field [embedding]",
                "caused_by": {"type": "illegal_argument_exception", "reason": "KNN vector values cannot be NaN"},
            },
        }
    }
    assert describe_rejection(item) == (
        "index of doc#3@g1 in lessons rejected (HTTP 400): mapper_parsing_exception: failed to parse field "
        "[embedding] (KNN vector values cannot be NaN)"
    )


def test_a_rejection_without_details_still_says_the_status():
    item = {"delete": {"_index": "lessons-pages", "_id": "doc@g1#p2", "status": 503}}
    assert describe_rejection(item) == "delete of doc@g1#p2 in lessons-pages rejected (HTTP 503): HTTP 503"
