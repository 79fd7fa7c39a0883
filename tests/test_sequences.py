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
