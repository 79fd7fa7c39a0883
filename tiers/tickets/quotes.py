"""Quotes for paid professional services: work beyond the allowance or not covered by the plan."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.permissions import can_act_as_customer
from tiers.plans.models import ExclusionReason
from tiers.tickets import notify
from tiers.tickets.models import Quote, Ticket
from tiers.tickets.timeline import log_event

CENT = Decimal("0.01")


def fee_for_minutes(minutes: int, hourly_rate: Decimal) -> Decimal:
    """The fee for `minutes` of work: exact minutes times the rate, rounded once, to the cent."""
    return (Decimal(minutes) * hourly_rate / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def create_quote(
    *, ticket: Ticket, by, reason: str, amount: Decimal, description: str = ""
) -> Quote:
    """Staff offer the customer a professional-services fee to accept or decline."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff make quotes.")
    if amount is None or amount < 0:
        raise TierError("Enter the fee.")
    return record_quote(ticket=ticket, by=by, reason=reason, amount=amount, description=description)


def record_quote(
    *, ticket: Ticket, by, reason: str, amount: Decimal, description: str = ""
) -> Quote:
    """Record and send a quote. `by` is None for the plan's own overage rule (no one decided
    it); callers check who may quote."""
    with transaction.atomic():
        quote = Quote.objects.create(
            ticket=ticket,
            reason=reason[:300],
            description=description,
            amount=amount,
            currency=ticket.plan.currency,
            created_by=by,
        )
        log_event(
            ticket, "quote", f"Quote of {amount} {quote.currency}: {reason}", actor=by, public=True
        )
        notify.quote_offered(ticket, quote)
    return quote


def quote_case_beyond_limit(ticket: Ticket) -> Quote | None:
    """The plan's "quote" overage rule for a troubleshooting case opened beyond the monthly
    case limit: the case is quoted as one hour of professional services at the plan's rate."""
    plan = ticket.plan
    if plan.overage_rule != plan.OVERAGE_QUOTE or not plan.overage_hourly_rate:
        return None
    return record_quote(
        ticket=ticket,
        by=None,
        reason="Troubleshooting case beyond the monthly case limit",
        amount=fee_for_minutes(60, plan.overage_hourly_rate),
        description=(
            f"Your plan includes {plan.troubleshooting_cases} troubleshooting cases a month; "
            f"this case is quoted as one hour at {plan.overage_hourly_rate} per hour."
        ),
    )


def mark_not_covered(
    *, ticket: Ticket, reason: ExclusionReason, amount: Decimal, description: str, by
) -> Quote:
    """The request falls under an exclusion: record why and quote professional services."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff decide coverage.")
    with transaction.atomic():
        ticket.not_covered_reason = reason
        ticket.save(update_fields=["not_covered_reason", "updated_at"])
        log_event(ticket, "not_covered", f"Not covered: {reason.text}", actor=by, public=True)
        return create_quote(
            ticket=ticket,
            by=by,
            reason=f"Not covered by your support plan: {reason.text}",
            amount=amount,
            description=description,
        )


def decide_quote(*, quote: Quote, accept: bool, by) -> Quote:
    if not can_act_as_customer(by, quote.ticket):
        raise PermissionDenied("You cannot decide on this quote.")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.PENDING:
            raise TierError("This quote has already been answered.")
        quote.status = Quote.ACCEPTED if accept else Quote.DECLINED
        quote.decided_at = timezone.now()
        quote.decided_by = by
        quote.save(update_fields=["status", "decided_at", "decided_by"])
        log_event(
            quote.ticket,
            "quote_decided",
            f"Quote {quote.get_status_display().lower()}",
            actor=by,
            public=True,
        )
        notify.quote_decided(quote.ticket, quote)
    return quote
