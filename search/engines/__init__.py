"""Engine selection: SEARCH_URL picks Elasticsearch/OpenSearch, otherwise the database engine
for the database in use (SQLite FTS5 or PostgreSQL full-text)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from search.engines.base import Engine, SearchUnavailable

_engines: dict[str, Engine] = {}

__all__ = ["Engine", "SearchUnavailable", "get_engine", "engine_for", "reset_engines"]


def engine_for(url: str | None = None, vendor: str | None = None) -> Engine:
    url = settings.SEARCH_URL if url is None else url
    key = url or f"db:{vendor or connection.vendor}"
    if key not in _engines:
        if url:
            from search.engines.elastic import ElasticEngine

            _engines[key] = ElasticEngine(url, prefix=settings.SEARCH_INDEX_PREFIX)
        else:
            from search.engines.database import database_engine

            _engines[key] = database_engine(vendor or connection.vendor)
    return _engines[key]


def get_engine() -> Engine:
    """The configured engine."""
    return engine_for()


def reset_engines() -> None:
    _engines.clear()
