"""Reads for the tiers app: usage against allowances, the organisations a user may open tickets
for, current problems. The plan reads live in tiers.plans.selectors and are re-exported here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import Count, Sum
from django.utils import timezone

from tiers.models import Organisation, Plan, ServiceProblem, Ticket, TimeEntry
from tiers.permissions import memberships_of
from tiers.plans.selectors import (
    active_subscription,
    comparison_plans,
    default_plan,
    default_plan_name,
    plan_for,
    plans_by_org,
    region_zone,
    upgrade_plan,
)


def month_bounds(
    moment: dt.datetime | None = None, zone: str = "UTC"
) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month around `moment` as the people in `zone` count it."""
    tzinfo = ZoneInfo(zone)
    moment = timezone.localtime(moment or timezone.now(), tzinfo)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Build the next month's start from wall-clock fields: a DST change inside the month
    # must not shift it by an hour.
    following = (start.replace(tzinfo=None) + dt.timedelta(days=32)).replace(day=1)
    return start, following.replace(tzinfo=tzinfo)


@dataclass
class AllowanceLine:
    label: str
    used: Decimal
    limit: Decimal | None
    unit: str
    minutes: int | None = None  # the exact time behind `used` (hours lines; `used` is rounded)

    @property
    def over_minutes(self) -> int:
        """Exact minutes beyond the limit (hours lines), for billing without rounding."""
        if self.limit is None or self.minutes is None:
            return 0
        return max(0, self.minutes - int(self.limit * 60))

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
    """Cases opened and analyst hours logged this calendar month against the plan (the month
    as the organisation's region counts it). Cases attached to an incident, and the time
    spent on them, are the provider's problem and do not count."""
    start, end = month_bounds(moment, region_zone(organisation.region))
    cases = Ticket.objects.filter(
        organisation=organisation,
        created_at__gte=start,
        created_at__lt=end,
        category="troubleshooting",
        not_covered_reason__isnull=True,
        incident__isnull=True,
    ).aggregate(n=Count("id"))["n"]
    minutes = {
        row["category"]: row["total"]
        for row in TimeEntry.objects.filter(
            ticket__organisation=organisation,
            ticket__incident__isnull=True,
            logged_at__gte=start,
            logged_at__lt=end,
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
            "Troubleshooting time",
            hours("troubleshooting"),
            plan.troubleshooting_hours,
            "hours",
            minutes.get("troubleshooting", 0),
        ),
        provisioning_hours=AllowanceLine(
            "Provisioning time",
            hours("provisioning"),
            plan.provisioning_hours,
            "hours",
            minutes.get("provisioning", 0),
        ),
    )


def ticket_organisations(user) -> list[tuple[Organisation, Plan]]:
    """The user's organisations whose plan lets them open tickets (for the org chooser)."""
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


PROBLEM_HISTORY_PER_PAGE = 20


def problem_history(problems, page, now=None) -> Page:
    """Problems resolved before the recent window, newest first, one page of them: the
    customers' incident history (the promise is at least a year; nothing is cut off here).
    Two queries (the count and the page) however long the history is."""
    since = (now or timezone.now()) - dt.timedelta(days=RECENTLY_RESOLVED_DAYS)
    older = problems.filter(status=ServiceProblem.RESOLVED, resolved_at__lt=since).order_by(
        "-resolved_at", "-pk"
    )
    return Paginator(older, PROBLEM_HISTORY_PER_PAGE).get_page(page)


__all__ = [
    "active_subscription",
    "comparison_plans",
    "default_plan",
    "default_plan_name",
    "plan_for",
    "plans_by_org",
    "upgrade_plan",
]
