"""resourcecenter.sequences: numbers from a counter column, in the using transaction."""

from django.db import transaction

import pytest

from resourcecenter.sequences import next_in_sequence
from tiers.models import CaseCounter

pytestmark = pytest.mark.django_db(transaction=True)


def test_counts_up_and_a_rollback_gives_the_number_back():
    CaseCounter.objects.create(prefix="T", year=2026)
    row = CaseCounter.objects.filter(prefix="T", year=2026)
    with transaction.atomic():
        assert next_in_sequence(row, "last_number") == 1
        assert next_in_sequence(row, "last_number") == 2
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert next_in_sequence(row, "last_number") == 3
        1 / 0  # noqa: B018
    with transaction.atomic():
        assert next_in_sequence(row, "last_number") == 3


def test_refuses_outside_a_transaction_and_without_a_row():
    with pytest.raises(RuntimeError):
        next_in_sequence(CaseCounter.objects.filter(prefix="T"), "last_number")
    with pytest.raises(LookupError), transaction.atomic():
        next_in_sequence(CaseCounter.objects.filter(prefix="none"), "last_number")


def test_one_statement_hands_out_a_number(django_assert_num_queries):
    """The UPDATE returns the new value itself (RETURNING on PostgreSQL and SQLite >= 3.35)."""
    CaseCounter.objects.create(prefix="Q", year=2026)
    row = CaseCounter.objects.filter(prefix="Q", year=2026)
    with transaction.atomic():
        with django_assert_num_queries(1) as captured:
            assert next_in_sequence(row, "last_number") == 1
        assert "RETURNING" in captured.captured_queries[0]["sql"]
        assert next_in_sequence(row, "last_number") == 2
    assert row.get().last_number == 2


def test_counts_only_on_exactly_one_row():
    """A filter that selects two rows is refused (and the transaction rolls back)."""
    Counter = CaseCounter
    Counter.objects.create(prefix="R", year=2025)
    Counter.objects.create(prefix="R", year=2026)
    with transaction.atomic():
        assert (
            next_in_sequence(Counter.objects.filter(prefix="R", year__gt=2025), "last_number") == 1
        )
        with pytest.raises(LookupError):
            next_in_sequence(Counter.objects.filter(prefix="R"), "last_number")
