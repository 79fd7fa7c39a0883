"""Narrow covering indexes for the SQLite engine.

Joining full-text matches to search_searchentry would otherwise read each row's long body
(overflow pages) to reach the filter and facet columns behind it.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS search_entry_meta ON search_searchentry "
    "(id, kind, product_area, product_area_name, audience, solved, staff_answered, boost, "
    "updated_epoch, tags)",
    "CREATE INDEX IF NOT EXISTS search_entrytag_entry_tag ON search_searchentrytag (entry_id, tag)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entrytag_entry_tag",
    "DROP INDEX IF EXISTS search_entry_meta",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
