"""Writes for subscriptions: buy a plan for a monthly term, cancel, resume, renew (billed
through the configured provider, tiers.plans.billing).
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import guardian_for
from tiers import sweeps
from tiers.errors import TierError
from tiers.permissions import membership_in
from tiers.plans import billing, notify
from tiers.plans.models import Membership, Organisation, Plan, Subscription
from tiers.plans.organisations import forget_user_caches


def _require_plan_manager(user, organisation: Organisation) -> None:
    """Buying, cancelling and resuming a plan: the organisation's admin, or a support lead
    (plans and subscriptions are the leads' work, not every analyst's)."""
    if guardian_for(user).is_support_lead:
        return
    membership = membership_in(user, organisation)
    if not (membership and membership.is_admin):
        raise PermissionDenied("Only an organisation admin can do that.")


def add_month(moment: dt.datetime) -> dt.datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar_module.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    for _ in range(months):
        moment = add_month(moment)
    return moment


def assign_plan(
    *,
    organisation: Organisation,
    plan: Plan,
    by,
    starts_at: dt.datetime | None = None,
    term_months: int = 12,
    price_override: Decimal | None = None,
    notes: str = "",
) -> Subscription:
    """A support lead puts `organisation` on any plan, as agreed by sales (Business or Enterprise
    plans are not bought online): the current subscription ends now and the new one runs from
    `starts_at` for terms of `term_months`, billed at `price_override` (or the plan's price)
    and renewed term by term until cancelled. Self-service buying (`subscribe`) is unchanged.
    """
    if not guardian_for(by).is_support_lead:
        raise PermissionDenied("Only a support lead assigns plans.")
    if term_months is None or term_months < 1:
        raise TierError("The term is at least one month.")
    if price_override is not None and price_override < 0:
        raise TierError("The price cannot be negative.")
    now = timezone.now()
    starts_at = starts_at or now
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        # One by one (not .update()) so the gate's cache hears of the change.
        for current in Subscription.objects.filter(
            organisation=organisation, status=Subscription.STATUS_ACTIVE
        ):
            current.status = Subscription.STATUS_ENDED
            current.ended_at = now
            current.save(update_fields=["status", "ended_at"])
        subscription = Subscription.objects.create(
            organisation=organisation,
            plan=plan,
            started_at=starts_at,
            current_period_start=starts_at,
            current_period_end=add_months(starts_at, term_months),
            billing_provider=billing.get_provider().name,
            created_by=by,
            sales_assisted=True,
            term_months=term_months,
            price_override=price_override,
            notes=notes,
        )
        billing.get_provider(subscription.billing_provider).charge_period(subscription)
        sweeps.schedule_sweep_at(subscription.current_period_end)
    return subscription


def subscribe(*, organisation: Organisation, plan: Plan, by, now=None) -> Subscription:
    """Buy `plan` for a monthly term, billed through the configured provider."""
    _require_plan_manager(by, organisation)
    if not plan.purchasable:
        raise TierError(f"{plan.name} cannot be bought online; contact us for a quote.")
    now = now or timezone.now()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        current = Subscription.objects.filter(
            organisation=organisation, status=Subscription.STATUS_ACTIVE
        ).first()
        if current is not None:
            if current.plan_id == plan.pk and current.cancel_at_period_end:
                raise TierError("Your subscription is set to end; resume it instead.")
            raise TierError(f"{organisation} is already on {current.plan.name}.")
        provider = billing.get_provider()
        subscription = Subscription.objects.create(
            organisation=organisation,
            plan=plan,
            started_at=now,
            current_period_start=now,
            current_period_end=add_month(now),
            billing_provider=provider.name,
            created_by=by,
        )
        invoice = provider.charge_period(subscription)
        sweeps.schedule_sweep_at(subscription.current_period_end)
        admins = list(
            Membership.objects.filter(
                organisation=organisation, role=Membership.ROLE_ADMIN
            ).values_list("user__email", flat=True)
        )
        notify.subscription_started(subscription, invoice, admins)
    forget_user_caches(by)
    return subscription


def cancel_subscription(*, subscription: Subscription, by) -> Subscription:
    """Stop renewing; the plan stays active until the end of the paid period."""
    _require_plan_manager(by, subscription.organisation)
    if subscription.status != Subscription.STATUS_ACTIVE:
        raise TierError("This subscription is not active.")
    subscription.cancel_at_period_end = True
    subscription.cancel_requested_at = timezone.now()
    subscription.save(update_fields=["cancel_at_period_end", "cancel_requested_at"])
    return subscription


def resume_subscription(*, subscription: Subscription, by) -> Subscription:
    _require_plan_manager(by, subscription.organisation)
    if subscription.status != Subscription.STATUS_ACTIVE:
        raise TierError("This subscription has ended; buy the plan again.")
    subscription.cancel_at_period_end = False
    subscription.cancel_requested_at = None
    subscription.save(update_fields=["cancel_at_period_end", "cancel_requested_at"])
    return subscription


@sweeps.job("subscriptions", order=20)
def renew_subscriptions(now=None) -> int:
    """End cancelled subscriptions and renew the rest whose period is over (run by the sweep)."""
    now = now or timezone.now()
    changed = 0
    due = Subscription.objects.filter(
        status=Subscription.STATUS_ACTIVE, current_period_end__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update().select_related("plan").get(pk=pk)
            )
            if subscription.status != Subscription.STATUS_ACTIVE:
                continue
            if subscription.current_period_end > now:
                continue
            renews = subscription.plan.purchasable or subscription.sales_assisted
            if subscription.cancel_at_period_end or not renews:
                subscription.status = Subscription.STATUS_CANCELLED
                subscription.ended_at = subscription.current_period_end
                subscription.save(update_fields=["status", "ended_at"])
            else:
                while subscription.current_period_end <= now:
                    subscription.current_period_start = subscription.current_period_end
                    subscription.current_period_end = add_months(
                        subscription.current_period_end, subscription.term_months
                    )
                    subscription.save(update_fields=["current_period_start", "current_period_end"])
                    billing.get_provider(subscription.billing_provider).charge_period(subscription)
                sweeps.schedule_sweep_at(subscription.current_period_end)
            changed += 1
    return changed
