"""resourcecenter.sequences: numbers from a counter column, in the using transaction."""

from django.db import connection, transaction

import pytest

from resourcecenter.sequences import next_in_sequence, next_row_in_sequence
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


def test_the_whole_row_comes_back_from_the_numbering_statement(django_assert_max_num_queries):
    """next_row_in_sequence: the row as the UPDATE left it (other columns moved in the same
    statement), typed as the model reads it; a rollback undoes both."""
    from django.db.models import F

    CaseCounter.objects.create(prefix="W", year=2026)
    row = CaseCounter.objects.filter(prefix="W", year=2026)
    with transaction.atomic():
        returns = connection.vendor == "postgresql" or (
            connection.Database.sqlite_version_info >= (3, 35)
        )
        with django_assert_max_num_queries(1 if returns else 2):
            counter = next_row_in_sequence(row, "last_number", year=F("year") + 1)
        assert isinstance(counter, CaseCounter)
        assert (counter.prefix, counter.year, counter.last_number) == ("W", 2027, 1)
        assert not counter._state.adding
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        next_row_in_sequence(CaseCounter.objects.filter(prefix="W"), "last_number")
        1 / 0  # noqa: B018
    assert CaseCounter.objects.get(prefix="W").last_number == 1
