"""Sequence numbers handed out from a counter column: the one helper for ticket case numbers
(tiers CaseCounter.last_number) and forum post numbers (Thread.last_post_number).

Why a counter column and an UPDATE: `UPDATE ... SET n = n + 1` takes the row's write lock until
the surrounding transaction ends, so concurrent writers queue up, every number is used once,
and a rolled-back writer gives its number back (no gaps). Read the value back in the same
transaction: where the database can (PostgreSQL, SQLite >= 3.35), the UPDATE returns it itself
(`RETURNING`), one statement instead of two. Invoice numbers (tiers.plans.billing) count the
same way, per calendar year.
"""

from __future__ import annotations

from django.db import IntegrityError, connections, transaction
from django.db.models import F, Model, QuerySet
from django.db.models.sql import UpdateQuery


def next_in_sequence(row: QuerySet, field: str) -> int:
    """Add one to `field` of the single row `row` selects and return the new value.

    Must run inside the transaction that uses the number (the row stays locked until it ends).
    """
    return _next(row, field, {}, [field])[field]


def next_row_in_sequence(row: QuerySet, field: str, **also) -> Model:
    """`next_in_sequence`, returning the whole row as the UPDATE left it (a model instance).

    For writers that need the row itself, fresh and locked (a reply re-checks its thread), and
    move other columns of it too (`also`: field name -> value or expression, applied in the
    same statement): one statement instead of a locking read, the numbering UPDATE and
    another UPDATE.
    """
    model = row.model
    fields = [f.attname for f in model._meta.concrete_fields]
    values = _next(row, field, also, fields)
    return model.from_db(row.db, fields, [values[name] for name in fields])


def _next(row: QuerySet, field: str, also: dict, wanted: list[str]) -> dict:
    if not transaction.get_connection(row.db).in_atomic_block:
        raise RuntimeError("next_in_sequence must run inside the transaction that uses the number")
    connection = connections[row.db]
    changes = {**also, field: F(field) + 1}
    if not _returns_from_update(connection):
        if row.update(**changes) != 1:
            raise _no_single_row(row)
        return row.values(*wanted).get()
    query = row.query.chain(UpdateQuery)
    query.add_update_values(changes)
    compiler = query.get_compiler(row.db)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    meta = row.model._meta
    columns = [meta.get_field(name).column for name in wanted]
    returning = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {returning}", params)
        rows = cursor.fetchall()
    if len(rows) != 1:
        raise _no_single_row(row)
    converted = {}
    for name, value in zip(wanted, rows[0], strict=True):
        column = meta.get_field(name).cached_col
        for convert in [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]:
            value = convert(value, column, connection)
        converted[name] = value
    return converted


def next_in_counter(model: type[Model], field: str, **key) -> int:
    """`next_in_sequence` on the counter row of `model` with `key`, created at 0 if missing."""
    try:
        with transaction.atomic():
            model.objects.get_or_create(**key)
    except IntegrityError:
        pass  # another transaction created it first
    return next_in_sequence(model.objects.filter(**key), field)


def _returns_from_update(connection) -> bool:
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)


def _no_single_row(row: QuerySet) -> LookupError:
    return LookupError(f"no single {row.model.__name__} row to count on")
