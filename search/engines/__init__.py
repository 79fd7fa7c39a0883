"""Engine selection: SEARCH_URL picks Elasticsearch/OpenSearch, otherwise the database engine
for the database in use (SQLite FTS5 or PostgreSQL full-text)."""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from search.conf import app_settings
from search.engines.base import Engine, SearchUnavailable

_engines: dict[str, Engine] = {}

_override: list[Engine] = []

__all__ = [
    "Engine",
    "SearchUnavailable",
    "get_engine",
    "engine_for",
    "reset_engines",
    "missing_cluster_clients",
    "using_engine",
]

# The client libraries an Elasticsearch/OpenSearch cluster needs (the `search` extra):
# elasticsearch (also its query DSL, used for both flavours) and opensearch-py.
CLUSTER_CLIENTS = {"elasticsearch": "elasticsearch", "opensearchpy": "opensearch-py"}


def missing_cluster_clients() -> list[str]:
    """The distributions of the `search` extra that are not installed (empty when all are)."""
    return [
        dist for module, dist in CLUSTER_CLIENTS.items() if importlib.util.find_spec(module) is None
    ]


def missing_clients_message(url: str) -> str:
    missing = ", ".join(missing_cluster_clients())
    return (
        f"SEARCH_URL is set ({url.split('@')[-1]}) but the search cluster's client libraries are "
        f"not installed (missing: {missing}). Install them with pip install "
        f'"resourcecenter[search]", or leave SEARCH_URL empty to use the database\'s search.'
    )


def engine_for(url: str | None = None, vendor: str | None = None) -> Engine:
    url = app_settings.URL if url is None else url
    key = url or f"db:{vendor or connection.vendor}"
    if key not in _engines:
        if url:
            if missing_cluster_clients():
                raise ImproperlyConfigured(missing_clients_message(url))
            from search.engines.elastic import ElasticEngine

            _engines[key] = ElasticEngine(url, prefix=app_settings.INDEX_PREFIX)
        else:
            from search.engines.database import database_engine

            _engines[key] = database_engine(vendor or connection.vendor)
    return _engines[key]


def get_engine() -> Engine:
    """The configured engine (or the one `using_engine` put in place)."""
    return _override[-1] if _override else engine_for()


@contextmanager
def using_engine(engine: Engine):
    """Within the block, the search entry points use `engine` (benchmarks compare engines
    through the very functions the views call)."""
    _override.append(engine)
    try:
        yield engine
    finally:
        _override.pop()


def reset_engines() -> None:
    _engines.clear()
