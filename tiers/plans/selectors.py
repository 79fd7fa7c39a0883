"""Which plan an organisation is on, and the plans offered: reads that need nothing but plans."""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string

from tiers.plans.calendar_models import BusinessCalendar
from tiers.plans.models import Organisation, Plan, Subscription


def region_zone(region: str) -> str:
    """The IANA time zone of a region (its business calendar's), UTC when it has none."""
    zone = BusinessCalendar.objects.filter(code=region).values_list("timezone", flat=True).first()
    return zone or "UTC"


def default_plan() -> Plan | None:
    return Plan.objects.filter(is_default=True).first()


def default_plan_name() -> str:
    """What the plan everyone starts on is called: its name from the data, or the template's
    words when no plan is marked default (never spelt in code). Plain text: callers escape."""
    context = {"plan": default_plan()}
    return render_to_string("tiers/includes/default_plan_name.txt", context).strip()


def upgrade_plan() -> Plan | None:
    """The plan offered to a customer without tickets: the cheapest one sold that opens them."""
    return (
        Plan.objects.filter(purchasable=True, may_open_tickets=True)
        .order_by("price_per_month", "pk")
        .first()
    )


def active_subscription(organisation: Organisation) -> Subscription | None:
    return (
        Subscription.objects.filter(organisation=organisation, status=Subscription.STATUS_ACTIVE)
        .select_related("plan")
        .first()
    )


def plans_by_org(org_ids: list[int]) -> dict[int, Plan]:
    """The current plan of each organisation (its active subscription, else the default plan)."""
    result: dict[int, Plan] = {}
    subscriptions = Subscription.objects.filter(
        organisation_id__in=org_ids, status=Subscription.STATUS_ACTIVE
    ).select_related("plan__severity_scheme")
    for subscription in subscriptions:
        result[subscription.organisation_id] = subscription.plan
    missing = [org_id for org_id in org_ids if org_id not in result]
    if missing:
        fallback = default_plan()
        if fallback is not None:
            for org_id in missing:
                result[org_id] = fallback
    return result


def plan_for(organisation: Organisation) -> Plan | None:
    return plans_by_org([organisation.pk]).get(organisation.pk)


def comparison_plans() -> list[Plan]:
    """Plans shown on the comparison page: the default plan and every purchasable one."""
    return list(
        Plan.objects.filter(Q(is_default=True) | Q(purchasable=True))
        .select_related("severity_scheme")
        .prefetch_related("resolution_targets")
    )
