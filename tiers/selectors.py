"""Reads for the tiers app: which plan an organisation is on, usage against allowances."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from tiers.models import Organisation, Plan, ServiceProblem, Subscription, Ticket, TimeEntry


def default_plan() -> Plan | None:
    return Plan.objects.filter(is_default=True).first()


def default_plan_name() -> str:
    """What the plan everyone starts on is called (read from the data, never spelt in code)."""
    plan = default_plan()
    return plan.name if plan else "the free plan"


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
        Plan.objects.filter(Q(is_default=True) | Q(purchasable=True)).select_related(
            "severity_scheme"
        )
    )


def month_bounds(moment: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    moment = timezone.localtime(moment or timezone.now(), dt.UTC)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


@dataclass
class AllowanceLine:
    label: str
    used: Decimal
    limit: Decimal | None
    unit: str

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.used > self.limit

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.used >= self.limit


@dataclass
class AllowanceUsage:
    plan: Plan
    month_start: dt.datetime
    troubleshooting_cases: AllowanceLine
    troubleshooting_hours: AllowanceLine
    provisioning_hours: AllowanceLine

    @property
    def lines(self) -> list[AllowanceLine]:
        return [self.troubleshooting_cases, self.troubleshooting_hours, self.provisioning_hours]

    @property
    def troubleshooting_exhausted(self) -> bool:
        """'Up to 1 hour or 3 cases': used up when either limit is reached."""
        return self.troubleshooting_cases.reached or self.troubleshooting_hours.reached

    @property
    def provisioning_exhausted(self) -> bool:
        return self.provisioning_hours.reached


def allowance_usage(organisation: Organisation, plan: Plan, moment=None) -> AllowanceUsage:
    """Cases opened and analyst hours logged this calendar month (UTC) against the plan."""
    start, end = month_bounds(moment)
    cases = Ticket.objects.filter(
        organisation=organisation,
        created_at__gte=start,
        created_at__lt=end,
        category="troubleshooting",
        not_covered_reason__isnull=True,
    ).aggregate(n=Count("id"))["n"]
    minutes = {
        row["category"]: row["total"]
        for row in TimeEntry.objects.filter(
            ticket__organisation=organisation, logged_at__gte=start, logged_at__lt=end
        )
        .values("category")
        .annotate(total=Sum("minutes"))
    }

    def hours(category: str) -> Decimal:
        return (Decimal(minutes.get(category, 0)) / 60).quantize(Decimal("0.01"))

    return AllowanceUsage(
        plan=plan,
        month_start=start,
        troubleshooting_cases=AllowanceLine(
            "Troubleshooting cases",
            Decimal(cases),
            None if plan.troubleshooting_cases is None else Decimal(plan.troubleshooting_cases),
            "cases",
        ),
        troubleshooting_hours=AllowanceLine(
            "Troubleshooting time", hours("troubleshooting"), plan.troubleshooting_hours, "hours"
        ),
        provisioning_hours=AllowanceLine(
            "Provisioning time", hours("provisioning"), plan.provisioning_hours, "hours"
        ),
    )


def ticket_organisations(user) -> list[tuple[Organisation, Plan]]:
    """The user's organisations whose plan lets them open tickets (for the org chooser)."""
    from tiers.permissions import memberships_of

    memberships = memberships_of(user)
    plans = plans_by_org([m.organisation_id for m in memberships])
    return [
        (m.organisation, plans[m.organisation_id])
        for m in memberships
        if m.organisation_id in plans and plans[m.organisation_id].may_open_tickets
    ]


RECENTLY_RESOLVED_DAYS = 7


def current_problems(problems) -> list[ServiceProblem]:
    """Open and monitoring problems of a (permission-filtered) queryset, most severe first."""
    return list(
        problems.exclude(status=ServiceProblem.RESOLVED).order_by("severity", "-started_at")[:50]
    )


def recently_resolved_problems(problems, now=None) -> list[ServiceProblem]:
    since = (now or timezone.now()) - dt.timedelta(days=RECENTLY_RESOLVED_DAYS)
    return list(
        problems.filter(status=ServiceProblem.RESOLVED, resolved_at__gte=since).order_by(
            "-resolved_at"
        )[:50]
    )
