"""The recommendations register: what reviews and committees recommended, what happened, what recurs.

The write path (``ingest/recommendations``) extracts records from stored documents into the
register's own SQLite file; this package holds the records' models, the theme taxonomy, the
follow-up and recurrence matching, and the queries and CSV export the service offers.
"""

from search.recommendations.export import recommendations_csv
from search.recommendations.models import (
    JSON_KEYS,
    MADE_BY,
    STATUSES,
    Recommendation,
    RecommendationDetail,
    RecurrenceChain,
    RecurrenceLink,
    StatusEvent,
    ThemeReason,
)

__all__ = [
    "JSON_KEYS",
    "MADE_BY",
    "STATUSES",
    "Recommendation",
    "RecommendationDetail",
    "RecurrenceChain",
    "RecurrenceLink",
    "StatusEvent",
    "ThemeReason",
    "recommendations_csv",
]
