"""PostgreSQL: keep search_searchentry's heap rows narrow.

A search reads the filter and facet columns (kind, product area, audience, flags) of every
matching row through a bitmap heap scan. With bodies and the full tsvector stored inline a
row takes about 1.7 kB, so a common word visits most of the table's pages; with a small
toast_tuple_target they move out of line and the same scan reads a sixth of the pages. The two
small vectors used for ranking titles and for type-ahead stay inline (STORAGE MAIN), so
scoring them never fetches TOAST chunks.

GIN indexes also get a small pending list: with the default (4 MB) every search scans up
to 4 MB of not-yet-merged entries after a burst of indexing, which cost more than the search
itself in `make bench`. The engine also merges the lists after each full rebuild.

The UPDATE rewrites existing rows so they take the new layout (new rows always do).
"""

from django.db import migrations

GIN_INDEXES = [
    "search_entry_vector_gin",
    "search_entry_suggest_gin",
    "search_entry_title_vector_gin",
    "search_term_trgm",
]
FORWARD = [
    "ALTER TABLE search_searchentry SET (toast_tuple_target = 128)",
    "ALTER TABLE search_searchentry ALTER COLUMN title_vector SET STORAGE MAIN, "
    "ALTER COLUMN suggest_vector SET STORAGE MAIN",
    "UPDATE search_searchentry SET body = body",
    *(f"ALTER INDEX {name} SET (gin_pending_list_limit = 256)" for name in GIN_INDEXES),
]
BACKWARD = [
    *(f"ALTER INDEX {name} RESET (gin_pending_list_limit)" for name in GIN_INDEXES),
    "ALTER TABLE search_searchentry ALTER COLUMN title_vector SET STORAGE EXTENDED, "
    "ALTER COLUMN suggest_vector SET STORAGE EXTENDED",
    "ALTER TABLE search_searchentry RESET (toast_tuple_target)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_title_vector")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
