"""Summary and code as fields of their own, so each can carry its own weight.

A page's summary (its front-matter description) says what the page is about in one or two
sentences: a match there is worth more than one deep in the body. Code is the opposite: a long
listing repeats identifiers, and it should not outrank the prose that explains them.

SQLite: the FTS5 table gets the two columns (Django rebuilds search_searchentry to add the
fields, which drops the triggers and the covering index; they are created again here).
PostgreSQL: the weighted vectors are generated again (title A; headings, tags and summary B;
code C; body D), with the storage and index options of 0005 and 0006. Run `search_reindex`
afterwards to fill the new fields.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, headings, summary, body, code, tags,
        content='search_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3 4'
    )""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, headings, summary, body, code, tags)
        VALUES (new.id, new.title, new.headings, new.summary, new.body, new.code, new.tags);
        INSERT INTO search_suggest_fts(rowid, title, headings, tags)
        VALUES (new.id, new.title, new.headings, new.tags);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, headings, summary, body, code, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.summary, old.body, old.code,
                old.tags);
        INSERT INTO search_suggest_fts(search_suggest_fts, rowid, title, headings, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.tags);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF title, headings, summary, body, code, tags
        ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, headings, summary, body, code, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.summary, old.body, old.code,
                old.tags);
        INSERT INTO search_fts(rowid, title, headings, summary, body, code, tags)
        VALUES (new.id, new.title, new.headings, new.summary, new.body, new.code, new.tags);
        INSERT INTO search_suggest_fts(search_suggest_fts, rowid, title, headings, tags)
        VALUES ('delete', old.id, old.title, old.headings, old.tags);
        INSERT INTO search_suggest_fts(rowid, title, headings, tags)
        VALUES (new.id, new.title, new.headings, new.tags);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_suggest_fts(search_suggest_fts) VALUES ('rebuild')",
    "CREATE INDEX IF NOT EXISTS search_entry_meta ON search_searchentry "
    "(id, kind, product_area, product_area_name, audience, solved, staff_answered, boost, "
    "updated_epoch, tags)",
]

CODE_JOINERS = r"[./@:\\~]+"
GIN_PENDING_LIST_LIMIT = 256


def _text(column: str) -> str:
    text = f"coalesce({column}, '')"
    if column == "tags":
        text = f"replace({text}, '|', ' ')"
    return f"regexp_replace({text}, '{CODE_JOINERS}', ' ', 'g')"


def _weighted(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('english', {_text(column)}), '{weight}')"


def _postgres(with_fields: bool) -> list[str]:
    heads = [_weighted("title", "A"), _weighted("headings", "B"), _weighted("tags", "B")]
    rest = [_weighted("body", "D")]
    if with_fields:
        heads.append(_weighted("summary", "B"))
        rest = [_weighted("code", "C"), *rest]
    columns = {
        "search_vector": " || ".join(heads + rest),
        "title_vector": " || ".join(heads),
    }
    indexes = {"search_vector": "search_entry_vector_gin", "title_vector": "search_entry_title_vector_gin"}
    actions = [f"DROP COLUMN {name}" for name in columns]
    actions += [
        f"ADD COLUMN {name} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in columns.items()
    ]
    actions.append("ALTER COLUMN title_vector SET STORAGE MAIN")
    return [
        "ALTER TABLE search_searchentry " + ", ".join(actions),
        *(
            f"CREATE INDEX {index} ON search_searchentry USING GIN ({column}) "
            f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_LIMIT})"
            for column, index in indexes.items()
        ),
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": _postgres(True)}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _postgres(False):
            schema_editor.execute(statement)


def sqlite_backward(apps, schema_editor):
    """After the fields are gone again: the FTS table of 0002 (the fields' removal rebuilt
    search_searchentry, dropping the triggers)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    from importlib import import_module

    earlier = import_module("search.migrations.0002_fulltext_index")
    schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    for statement in earlier.SQLITE_FORWARD:
        if "search_suggest_fts USING" in statement:
            continue
        schema_editor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
    schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    schema_editor.execute(SQLITE_FORWARD[-1])


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_code_words")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_backward),
        migrations.AddField(
            model_name="searchentry",
            name="summary",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchentry",
            name="code",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(forward, backward),
    ]
