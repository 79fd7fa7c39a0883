"""Sequence numbers handed out from a counter column: the one helper for ticket case numbers
(tiers CaseCounter.last_number) and forum post numbers (Thread.last_post_number).

Why a counter column and an UPDATE: `UPDATE ... SET n = n + 1` takes the row's write lock until
the surrounding transaction ends, so concurrent writers queue up, every number is used once,
and a rolled-back writer gives its number back (no gaps). Read the value back in the same
transaction. (Invoice numbers are a different mechanism on purpose: the highest existing
number + 1 under the organisation's lock, with a unique constraint as the guard; see
tiers.plans.billing.)
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, QuerySet


def next_in_sequence(row: QuerySet, field: str) -> int:
    """Add one to `field` of the single row `row` selects and return the new value.

    Must run inside the transaction that uses the number (the row stays locked until it ends).
    """
    if not transaction.get_connection(row.db).in_atomic_block:
        raise RuntimeError("next_in_sequence must run inside the transaction that uses the number")
    if row.update(**{field: F(field) + 1}) != 1:
        raise LookupError(f"no single {row.model.__name__} row to count on")
    return row.values_list(field, flat=True).get()
