"""Billing providers: how a subscription gets paid for.

The project handles no cards. The default "invoice" provider raises an `Invoice` record for
each monthly term; another provider (a payment service) would implement the same two methods
and be selected by `TIERS_BILLING_PROVIDER`.
"""

from __future__ import annotations

from typing import Protocol

from django.utils import timezone

from resourcecenter.sequences import next_in_counter
from tiers.conf import app_settings
from tiers.models import Invoice, InvoiceCounter, Subscription


class BillingError(Exception):
    """The provider refused the charge; the subscription change is rolled back."""


class BillingProvider(Protocol):
    name: str

    def charge_period(self, subscription: Subscription) -> Invoice | None:
        """Bill the subscription's current period (called on purchase and on each renewal)."""


class InvoiceProvider:
    """Raises an invoice per monthly term, payable on the usual terms."""

    name = "invoice"

    def charge_period(self, subscription: Subscription) -> Invoice:
        year = timezone.now().year
        plan = subscription.plan
        return Invoice.objects.create(
            organisation=subscription.organisation,
            subscription=subscription,
            number=f"INV-{year}-{next_invoice_number(year):06d}",
            description=(
                f"{plan.name} support, {subscription.current_period_start:%d %b %Y} - "
                f"{subscription.current_period_end:%d %b %Y}"
            ),
            amount=subscription.price_per_month * subscription.term_months,
            currency=plan.currency,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )


def next_invoice_number(year: int) -> int:
    """The next invoice number of `year`: unique and gapless across organisations.

    Two organisations buying at the same moment each hold only their own organisation's lock,
    so the number comes from one counter row per year, locked by the increment until the
    invoicing transaction ends (resourcecenter.sequences), never from "highest + 1".
    """
    return next_in_counter(InvoiceCounter, "last_number", year=year)


PROVIDERS: dict[str, type] = {"invoice": InvoiceProvider}


def get_provider(name: str | None = None) -> BillingProvider:
    name = name or app_settings.BILLING_PROVIDER
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise BillingError(f"Unknown billing provider {name!r}.") from None
