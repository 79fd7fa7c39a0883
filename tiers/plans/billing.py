"""Billing providers: how a subscription gets paid for.

The project handles no cards. The default "invoice" provider raises an `Invoice` record for
each monthly term; another provider (a payment service) would implement the same two methods
and be selected by `TIERS_BILLING_PROVIDER`.
"""

from __future__ import annotations

from typing import Protocol

from django.db.models import Max
from django.utils import timezone

from tiers.conf import app_settings
from tiers.models import Invoice, Subscription


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
        now = timezone.now()
        prefix = f"INV-{now:%Y}-"
        # Called inside the subscription's transaction with the organisation row locked;
        # the unique constraint on `number` is the final guard. (Not a counter column like
        # resourcecenter.sequences: invoice numbers run per calendar year across organisations
        # and are derived from the invoices themselves.)
        last = Invoice.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
        sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        plan = subscription.plan
        return Invoice.objects.create(
            organisation=subscription.organisation,
            subscription=subscription,
            number=f"{prefix}{sequence:06d}",
            description=(
                f"{plan.name} support, {subscription.current_period_start:%d %b %Y} - "
                f"{subscription.current_period_end:%d %b %Y}"
            ),
            amount=subscription.price_per_month * subscription.term_months,
            currency=plan.currency,
            period_start=subscription.current_period_start,
            period_end=subscription.current_period_end,
        )


PROVIDERS: dict[str, type] = {"invoice": InvoiceProvider}


def get_provider(name: str | None = None) -> BillingProvider:
    name = name or app_settings.BILLING_PROVIDER
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise BillingError(f"Unknown billing provider {name!r}.") from None
