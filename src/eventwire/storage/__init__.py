"""The event store: SQLAlchemy tables and migrations, ingest, merging, queries and exports.

SQLite by default (``sqlite:///eventwire.db``), PostgreSQL for production
(``postgresql://user:pass@host/db``, driven by psycopg 3). See ``docs/store.md``.
"""

from __future__ import annotations

from .ingest import IngestStats, ingest, ingest_records, pipeline_coder
from .repo import (
    EventFilter,
    EventRecord,
    Store,
    count_rows,
    load_article,
    normalise_url,
    open_store,
    query_events,
    save_articles,
    save_rejects,
)

__all__ = [
    "EventFilter",
    "EventRecord",
    "IngestStats",
    "Store",
    "count_rows",
    "ingest",
    "ingest_records",
    "load_article",
    "normalise_url",
    "open_store",
    "pipeline_coder",
    "query_events",
    "save_articles",
    "save_rejects",
]
