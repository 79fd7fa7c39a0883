"""PostgreSQL: a small weighted tsvector over title, headings and tags (with a GIN index).

Ranks very common words without reading every matching body's large tsvector (the engine
scores matches in titles, headings and tags first when a query matches thousands of rows;
0005 keeps this vector inline so that scoring it is cheap)."""

from django.db import migrations

FORWARD = [
    """ALTER TABLE search_searchentry ADD COLUMN title_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(headings, '')), 'B') ||
        setweight(to_tsvector('english', replace(coalesce(tags, ''), '|', ' ')), 'B')
    ) STORED""",
    "CREATE INDEX search_entry_title_vector_gin ON search_searchentry USING GIN (title_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_title_vector_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS title_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sqlite_covering_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
