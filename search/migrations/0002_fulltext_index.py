"""The database engine's full-text structures, by database vendor.

SQLite: an FTS5 external-content table over search_searchentry (porter stemming on top of
unicode61, prefix indexes for type-ahead), kept in sync by triggers, and an fts5vocab view.
PostgreSQL: pg_trgm, a generated weighted tsvector column with a GIN index, and a trigram
index on the vocabulary for "did you mean".
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, headings, body, tags,
        content='search_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3 4'
    )""",
    # Type-ahead: titles, headings and tags without stemming, so "provisio" prefixes
    # "provisioning" (the porter stem "provis" would not).
    """CREATE VIRTUAL TABLE search_suggest_fts USING fts5(
        title, headings, tags,
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2',
        prefix='2 3 4'
    )""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, headings, body, tags)
        VALUES (new.id, new.title, new.headings, new.body, new.tags);
        INSERT INTO search_suggest_fts(rowid, title, headings, tags)
        VALUES (new.id, new.title, new.headings, new.tags);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, headings, body, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.body, old.tags);
        INSERT INTO search_suggest_fts(search_suggest_fts, rowid, title, headings, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.tags);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF title, headings, body, tags
        ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, headings, body, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.body, old.tags);
        INSERT INTO search_fts(rowid, title, headings, body, tags)
        VALUES (new.id, new.title, new.headings, new.body, new.tags);
        INSERT INTO search_suggest_fts(search_suggest_fts, rowid, title, headings, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.tags);
        INSERT INTO search_suggest_fts(rowid, title, headings, tags)
        VALUES (new.id, new.title, new.headings, new.tags);
    END""",
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 1.0, 4.0)')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_suggest_fts",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(headings, '')), 'B') ||
        setweight(to_tsvector('english', replace(coalesce(tags, ''), '|', ' ')), 'B') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'D')
    ) STORED""",
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING GIN (search_vector)",
    """ALTER TABLE search_searchentry ADD COLUMN suggest_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(headings, '') || ' ' ||
                              replace(coalesce(tags, ''), '|', ' '))
    ) STORED""",
    "CREATE INDEX search_entry_suggest_gin ON search_searchentry USING GIN (suggest_vector)",
    "CREATE INDEX search_term_trgm ON search_searchterm USING GIN (term gin_trgm_ops)",
    "CREATE INDEX search_entry_title_trgm ON search_searchentry USING GIN (lower(title) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_title_trgm",
    "DROP INDEX IF EXISTS search_term_trgm",
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "DROP INDEX IF EXISTS search_entry_suggest_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS suggest_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
