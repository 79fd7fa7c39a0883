"""The staff dashboard's figures: backlog, SLA attainment, breaches, incidents and the tickets
around them, deflection, searches that found nothing. Each is one or two aggregate queries,
so the page's query count does not grow with the number of tickets.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from resourcecenter import journeys
from search.reports import query_summary
from tiers.incidents import attainment
from tiers.models import REGION_CHOICES, ServiceProblem, Ticket

AGE_BUCKETS = [
    ("under 1 day", dt.timedelta(0), dt.timedelta(days=1)),
    ("1-3 days", dt.timedelta(days=1), dt.timedelta(days=3)),
    ("3-7 days", dt.timedelta(days=3), dt.timedelta(days=7)),
    ("over 7 days", dt.timedelta(days=7), None),
]
PERIODS = {"7": 7, "30": 30, "90": 90}


@dataclass
class BacklogRow:
    severity: int
    buckets: list[int]

    @property
    def total(self) -> int:
        return sum(self.buckets)


def backlog(now: dt.datetime) -> list[BacklogRow]:
    """Open tickets by severity and by age (time since opened)."""
    annotations = {}
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        rule = Q(created_at__lte=now - low)
        if high is not None:
            rule &= Q(created_at__gt=now - high)
        annotations[f"b{index}"] = Count("id", filter=rule)
    rows = (
        Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)
        .values("severity")
        .annotate(**annotations)
        .order_by("severity")
    )
    return [
        BacklogRow(row["severity"], [row[f"b{i}"] for i in range(len(AGE_BUCKETS))]) for row in rows
    ]


@dataclass
class Attainment:
    severity: int
    region: str
    opened: int
    within: int
    missed: int

    @property
    def pending(self) -> int:
        return self.opened - self.within - self.missed

    @property
    def percent(self) -> int | None:
        decided = self.within + self.missed
        return None if not decided else round(100 * self.within / decided)

    @property
    def region_label(self) -> str:
        return dict(REGION_CHOICES).get(self.region, self.region)


def sla_attainment(start: dt.datetime, end: dt.datetime) -> list[Attainment]:
    """First response against target for tickets opened in [start, end), by severity and
    region: within = answered with no breach; missed = breached; the rest are pending."""
    rows = (
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("severity", "region")
        .annotate(
            opened=Count("id"),
            within=Count("id", filter=Q(first_response_at__isnull=False, breached_at=None)),
            missed=Count("id", filter=Q(breached_at__isnull=False)),
        )
        .order_by("severity", "region")
    )
    return [
        Attainment(r["severity"], r["region"], r["opened"], r["within"], r["missed"]) for r in rows
    ]


def resolution_attainment(start: dt.datetime, end: dt.datetime) -> list[Attainment]:
    """Resolution against target for tickets opened in [start, end) whose plan sets one, by
    severity and region, as the lifecycle recorded it (`resolution_met`, in the business
    hours that count): within = met; missed = not met; the rest are not resolved yet (a
    reopened ticket is open again)."""
    rows = (
        Ticket.objects.filter(
            created_at__gte=start, created_at__lt=end, resolution_target_seconds__gt=0
        )
        .values("severity", "region")
        .annotate(
            opened=Count("id"),
            within=Count("id", filter=Q(resolution_met=True)),
            missed=Count("id", filter=Q(resolution_met=False)),
        )
        .order_by("severity", "region")
    )
    return [
        Attainment(r["severity"], r["region"], r["opened"], r["within"], r["missed"]) for r in rows
    ]


def breaches(start: dt.datetime, end: dt.datetime, limit: int = 10):
    """(count, latest) of first-response breaches recorded in [start, end)."""
    found = Ticket.objects.filter(breached_at__gte=start, breached_at__lt=end)
    latest = found.select_related("organisation").order_by("-breached_at")[:limit]
    return found.count(), list(latest)


def tickets_during_incident_q() -> tuple[Subquery, Subquery]:
    """The tickets opened while the incident was open, in its region (every region when it
    names none): the volume an incident causes, attached to it or not."""
    window = Ticket.objects.filter(
        created_at__gte=OuterRef("started_at"),
        created_at__lte=Coalesce(OuterRef("resolved_at"), Value(timezone.now())),
    )
    same_region = window.filter(region=OuterRef("region"))
    return (
        Subquery(_count(same_region), output_field=IntegerField()),
        Subquery(_count(window), output_field=IntegerField()),
    )


def _count(queryset):
    # COUNT over the whole correlated subquery (no GROUP BY): one number per incident.
    return queryset.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n")


def incidents(start: dt.datetime, end: dt.datetime, limit: int = 20) -> list[ServiceProblem]:
    """Incidents open at some point in [start, end), newest first, each with `ticket_volume`
    (tickets opened meanwhile) and `attached` (cases linked to it, tiers.incidents.linking)."""
    in_region, anywhere = tickets_during_incident_q()
    found = (
        ServiceProblem.objects.filter(started_at__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .annotate(
            in_region=in_region,
            anywhere=anywhere,
            attached=Subquery(
                _count(Ticket.objects.filter(incident=OuterRef("pk"))),
                output_field=IntegerField(),
            ),
        )
        .order_by("-started_at")[:limit]
    )
    result = list(found)
    for incident in result:
        incident.ticket_volume = (
            incident.anywhere if not incident.region else incident.in_region
        ) or 0
        incident.attached = incident.attached or 0  # cases customers attached to it
    return result


@dataclass
class Deflection:
    sessions: int
    with_ticket: int
    searches: int
    articles: int

    @property
    def without_ticket(self) -> int:
        return self.sessions - self.with_ticket

    @property
    def percent(self) -> int | None:
        return None if not self.sessions else round(100 * self.without_ticket / self.sessions)


def deflection(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Deflection:
    """Help sessions (resourcecenter.journeys) that started in [start, end) and have ended,
    and how many of them ended with a ticket opened by the same person."""
    found = [s for s in journeys.sessions(start, end) if s.ends_at <= now]
    opened: dict[str, list[dt.datetime]] = {}
    tickets = Ticket.objects.filter(
        created_at__gte=start, created_at__lt=end + journeys.SESSION_GAP * 49
    ).values_list("requester_id", "created_at")
    for requester_id, created_at in tickets.order_by("created_at"):
        opened.setdefault(journeys.visitor_key(requester_id), []).append(created_at)
    with_ticket = 0
    for session in found:
        times = opened.get(session.visitor, [])
        index = bisect_left(times, session.started_at)
        with_ticket += index < len(times) and times[index] <= session.ends_at
    return Deflection(
        sessions=len(found),
        with_ticket=with_ticket,
        searches=sum(s.searches for s in found),
        articles=sum(s.articles for s in found),
    )


NOTICE_MONTHS = 12


def notice_attainment_by_month(now: dt.datetime) -> list[attainment.MonthlyNoticeAttainment]:
    """The proactive-notice promise (declared-at to sent-at against each plan's window, e.g.
    30 minutes for Infinity) month by month over the last `NOTICE_MONTHS` months (UTC), this
    month included; months without notices are left out."""
    this_month = now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    index = this_month.year * 12 + this_month.month - NOTICE_MONTHS
    first = this_month.replace(year=index // 12, month=index % 12 + 1)
    return attainment.monthly_attainment(first, now, now)


def zero_result_queries(days: int, limit: int = 10) -> list[dict]:
    return list(query_summary(days, zero_only=True)[:limit])
