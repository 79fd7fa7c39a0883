"""PostgreSQL: index the words inside dotted and slashed code as separate words.

PostgreSQL's text parser keeps `client.list_sims()`, `/v1/sims`, `app_config.yaml`,
`docs.example.com` and `user@example.com` as single host, file, URL or e-mail tokens, so a
search for `list_sims`, `sims` or `yaml` missed the code samples that use them, while SQLite's
tokenizer and the query parser split at every such character. The vectors are now built from
the text with `. / @ : \\ ~` turned into spaces, so all three agree: `client.dingoscan` finds
"client.dingoscan" (as a phrase) and "dingoscan" alike.

The generated columns cannot change their expression in place before PostgreSQL 17, so they
are dropped and added again (one table rewrite) with the storage and index options of 0005.
"""

from django.db import migrations

CODE_JOINERS = r"[./@:\\~]+"
GIN_PENDING_LIST_LIMIT = 256


def _text(column: str, split_code: bool) -> str:
    text = f"coalesce({column}, '')"
    if column == "tags":
        text = f"replace({text}, '|', ' ')"
    return f"regexp_replace({text}, '{CODE_JOINERS}', ' ', 'g')" if split_code else text


def _vector_columns(split_code: bool) -> list[str]:
    def weighted(column, weight):
        return f"setweight(to_tsvector('english', {_text(column, split_code)}), '{weight}')"

    heads = " || ".join([weighted("title", "A"), weighted("headings", "B"), weighted("tags", "B")])
    suggest_text = " || ' ' || ".join(_text(c, split_code) for c in ("title", "headings", "tags"))
    columns = {
        "search_vector": f"{heads} || {weighted('body', 'D')}",
        "title_vector": heads,
        "suggest_vector": f"to_tsvector('simple', {suggest_text})",
    }
    indexes = {
        "search_vector": "search_entry_vector_gin",
        "title_vector": "search_entry_title_vector_gin",
        "suggest_vector": "search_entry_suggest_gin",
    }
    actions = [f"DROP COLUMN {name}" for name in columns]
    actions += [
        f"ADD COLUMN {name} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in columns.items()
    ]
    # the small vectors stay inline (see 0005); set before the rewrite at the statement's end
    actions += [f"ALTER COLUMN {name} SET STORAGE MAIN" for name in ("title_vector", "suggest_vector")]
    return [
        "ALTER TABLE search_searchentry " + ", ".join(actions),
        *(
            f"CREATE INDEX {index} ON search_searchentry USING GIN ({column}) "
            f"WITH (gin_pending_list_limit = {GIN_PENDING_LIST_LIMIT})"
            for column, index in indexes.items()
        ),
    ]


def _run(split_code: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in _vector_columns(split_code):
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_postgres_narrow_rows")]

    operations = [migrations.RunPython(_run(split_code=True), _run(split_code=False))]
