"""The database engine: SQLite FTS5 or PostgreSQL full-text search, no extra server.

Both share the storage (SearchEntry rows, tag rows) and the filters; they differ in how a
parsed query becomes a full-text match, how it is ranked and how snippets are cut. Filters,
including who may see what, are part of the WHERE clause of every statement (hits, counts,
facets and suggestions alike).

The shared part lives in `sql_base`, each dialect in `sqlite` and `postgres`; this module picks
one and re-exports the names callers import from here.
"""

from __future__ import annotations

from search.engines.postgres import (  # noqa: F401 - re-exported for callers
    POSTGRES_GIN_INDEXES,
    PostgresEngine,
    prefer_indexes,
    ts_any_word,
    ts_query,
    word_excerpt,
)
from search.engines.sql_base import DatabaseEngine, relaxed_pairs  # noqa: F401
from search.engines.sqlite import SqliteEngine, fts_match  # noqa: F401


def database_engine(vendor: str) -> DatabaseEngine:
    if vendor == "postgresql":
        return PostgresEngine()
    if vendor == "sqlite":
        return SqliteEngine()
    raise RuntimeError(f"the database engine supports SQLite and PostgreSQL, not {vendor}")
