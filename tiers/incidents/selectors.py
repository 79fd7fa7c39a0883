"""Reads for the status page: current state, open incidents, maintenance, uptime history and
the monthly archive. Only public incidents, maintenance and components are ever returned.

Uptime of a component on a day (UTC) is 1 - weighted outage time / time observed, where a
major outage counts fully, a partial outage for `PARTIAL_WEIGHT` of its time and degraded
performance or maintenance not at all (the convention of hosted status pages). Overlapping
incidents count once, at the heaviest weight in force. Days before the component existed
have no data and are left out of its figure. Today counts up to now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from tiers.incidents.models import (
    Component,
    IncidentComponent,
    MaintenanceWindow,
    ProblemUpdate,
    ServiceProblem,
)

PARTIAL_WEIGHT = 0.3
WEIGHTS = {Component.MAJOR: 1.0, Component.PARTIAL: PARTIAL_WEIGHT, Component.DEGRADED: 0.0}
STATE_LABELS = dict(Component.STATE_CHOICES)
OVERALL_TEXT = {
    Component.OPERATIONAL: "All systems operational",
    Component.MAINTENANCE: "Maintenance in progress",
    Component.DEGRADED: "Degraded performance",
    Component.PARTIAL: "Partial outage",
    Component.MAJOR: "Major outage",
}


def public_incidents():
    return ServiceProblem.objects.filter(is_public=True)


def public_maintenance():
    return MaintenanceWindow.objects.filter(is_public=True)


def public_components() -> list[Component]:
    return list(Component.objects.filter(is_public=True))


def _with_timeline(incidents):
    return incidents.prefetch_related(
        Prefetch(
            "component_links",
            queryset=IncidentComponent.objects.select_related("component").order_by(
                "component__sort_order", "component__name"
            ),
        ),
        Prefetch("updates", queryset=ProblemUpdate.objects.order_by("-created_at", "-id")),
    )


def component_states(now: dt.datetime | None = None) -> dict[int, str]:
    """Each public component's current state: the worst any open public incident puts it in,
    else "under maintenance" while a maintenance window runs, else operational."""
    now = now or timezone.now()
    states = {component.pk: [Component.OPERATIONAL] for component in public_components()}
    links = IncidentComponent.objects.filter(
        incident__is_public=True, component_id__in=states
    ).exclude(incident__status=ServiceProblem.RESOLVED)
    for component_id, state in links.values_list("component_id", "state"):
        states[component_id].append(state)
    running = public_maintenance().filter(
        cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    )
    for component_id in running.values_list("components", flat=True):
        if component_id in states:
            states[component_id].append(Component.MAINTENANCE)
    return {pk: Component.worst(found) for pk, found in states.items()}


@dataclass
class ComponentRow:
    component: Component
    state: str
    bar: dict | None = None  # the uptime bar, when the page shows one

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Summary:
    """What the status page and the JSON summary show now."""

    now: dt.datetime
    state: str
    groups: list[tuple[str, list[ComponentRow]]]
    open_incidents: list[ServiceProblem]
    maintenance_now: list[MaintenanceWindow]
    maintenance_ahead: list[MaintenanceWindow]
    recently_resolved: list[ServiceProblem]

    @property
    def state_text(self) -> str:
        return OVERALL_TEXT[self.state]

    @property
    def components(self) -> list[ComponentRow]:
        return [row for _group, rows in self.groups for row in rows]


def summary(now: dt.datetime | None = None, resolved_days: int = 7) -> Summary:
    now = now or timezone.now()
    states = component_states(now)
    groups: dict[str, list[ComponentRow]] = {}
    for component in public_components():
        groups.setdefault(component.group, []).append(ComponentRow(component, states[component.pk]))
    open_incidents = list(
        _with_timeline(public_incidents().exclude(status=ServiceProblem.RESOLVED)).order_by(
            "-started_at"
        )
    )
    windows = (
        public_maintenance()
        .filter(cancelled_at__isnull=True, ends_at__gt=now)
        .prefetch_related("components")
        .order_by("starts_at")
    )
    state = Component.worst(states.values())
    if state == Component.OPERATIONAL and open_incidents:
        state = Component.DEGRADED  # an incident that names no component still counts
    return Summary(
        now=now,
        state=state,
        groups=list(groups.items()),
        open_incidents=open_incidents,
        maintenance_now=[w for w in windows if w.starts_at <= now],
        maintenance_ahead=[w for w in windows if w.starts_at > now],
        recently_resolved=list(
            _with_timeline(
                public_incidents().filter(
                    status=ServiceProblem.RESOLVED,
                    resolved_at__gte=now - dt.timedelta(days=resolved_days),
                )
            ).order_by("-resolved_at")
        ),
    )


@dataclass
class Day:
    day: dt.date
    uptime: float | None  # None: no data (before the component existed)
    state: str = Component.OPERATIONAL
    incidents: list[ServiceProblem] = field(default_factory=list)
    observed_seconds: float = 0.0
    down_seconds: float = 0.0


@dataclass
class History:
    component: Component
    days: list[Day]

    @property
    def uptime(self) -> float | None:
        observed = sum(day.observed_seconds for day in self.days)
        if not observed:
            return None
        return 1 - sum(day.down_seconds for day in self.days) / observed


def _weighted_down(intervals: list[tuple[dt.datetime, dt.datetime, float]], start, end) -> float:
    """Seconds of weighted downtime in [start, end): overlaps count once, heaviest weight."""
    points = {start, end}
    clipped = []
    for begin, finish, weight in intervals:
        begin, finish = max(begin, start), min(finish, end)
        if begin < finish and weight > 0:
            clipped.append((begin, finish, weight))
            points.update((begin, finish))
    ordered = sorted(points)
    total = 0.0
    for left, right in zip(ordered, ordered[1:], strict=False):
        weight = max((w for b, f, w in clipped if b <= left and f >= right), default=0.0)
        total += (right - left).total_seconds() * weight
    return total


def uptime_history(now: dt.datetime | None = None, days: int | None = None) -> list[History]:
    """The daily uptime bars of every public component for the last `days` days (UTC)."""
    from tiers.conf import app_settings

    now = now or timezone.now()
    days = days or app_settings.STATUS_HISTORY_DAYS
    first = now.astimezone(dt.UTC).date() - dt.timedelta(days=days - 1)
    window_start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    components = public_components()
    links = (
        IncidentComponent.objects.filter(
            incident__is_public=True, component__in=components, incident__started_at__lt=now
        )
        .filter(Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gt=window_start))
        .select_related("incident")
    )
    by_component: dict[int, list[IncidentComponent]] = {}
    for link in links:
        by_component.setdefault(link.component_id, []).append(link)
    windows = list(
        public_maintenance()
        .filter(cancelled_at__isnull=True, starts_at__lt=now, ends_at__gt=window_start)
        .prefetch_related("components")
    )
    result = []
    for component in components:
        intervals = [
            (link.incident.started_at, link.incident.resolved_at or now, WEIGHTS[link.state], link)
            for link in by_component.get(component.pk, [])
        ]
        maintenance = [
            (w.starts_at, min(w.ends_at, now))
            for w in windows
            if any(c.pk == component.pk for c in w.components.all())
        ]
        bars = [
            _day_bar(component, first + dt.timedelta(days=offset), now, intervals, maintenance)
            for offset in range(days)
        ]
        result.append(History(component=component, days=bars))
    return result


def _day_bar(component, day: dt.date, now: dt.datetime, intervals, maintenance) -> Day:
    """One component's bar for one UTC day: `intervals` are its incidents as (start, end,
    weight, link), `maintenance` its windows as (start, end). A day before the component
    existed, or not begun yet, has no uptime."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    end = min(start + dt.timedelta(days=1), now)
    start = max(start, component.created_at)
    if end <= start:
        return Day(day=day, uptime=None)
    touching = [item for item in intervals if item[0] < end and item[1] > start]
    down = _weighted_down([item[:3] for item in touching], start, end)
    observed = (end - start).total_seconds()
    states = [item[3].state for item in touching]
    if any(b < end and f > start for b, f in maintenance):
        states.append(Component.MAINTENANCE)
    incidents = sorted({item[3].incident for item in touching}, key=lambda i: (i.started_at, i.pk))
    return Day(
        day=day,
        uptime=1 - down / observed,
        state=Component.worst(states),
        incidents=incidents,
        observed_seconds=observed,
        down_seconds=down,
    )


def _month_start(moment: dt.date) -> dt.date:
    return moment.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Month:
    start: dt.date
    incidents: list[ServiceProblem]

    @property
    def count(self) -> int:
        return len(self.incidents)


def archive(now: dt.datetime | None = None, page: int = 1, months: int = 12) -> list[Month]:
    """Public incidents month by month (UTC, by start), newest month first: page 1 is the
    current month and the 11 before it, page 2 the 12 before those, and so on."""
    now = now or timezone.now()
    newest = _add_months(_month_start(now.astimezone(dt.UTC).date()), -(page - 1) * months)
    oldest = _add_months(newest, -(months - 1))
    start = dt.datetime.combine(oldest, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(_add_months(newest, 1), dt.time(), tzinfo=dt.UTC)
    incidents = _with_timeline(
        public_incidents().filter(started_at__gte=start, started_at__lt=end)
    ).order_by("-started_at", "-id")
    by_month: dict[dt.date, list[ServiceProblem]] = {}
    for incident in incidents:
        by_month.setdefault(_month_start(incident.started_at.astimezone(dt.UTC).date()), []).append(
            incident
        )
    return [
        Month(
            start=_add_months(newest, -offset),
            incidents=by_month.get(_add_months(newest, -offset), []),
        )
        for offset in range(months)
    ]


def has_older(now: dt.datetime | None, page: int, months: int = 12) -> bool:
    now = now or timezone.now()
    newest = _add_months(_month_start(now.astimezone(dt.UTC).date()), -(page - 1) * months)
    oldest = dt.datetime.combine(_add_months(newest, -(months - 1)), dt.time(), tzinfo=dt.UTC)
    return public_incidents().filter(started_at__lt=oldest).exists()


def incident(pk: int) -> ServiceProblem | None:
    return _with_timeline(public_incidents().filter(pk=pk)).first()


def recent_updates(limit: int = 50) -> list[ProblemUpdate]:
    """The newest updates of public incidents (the Atom feed)."""
    return list(
        ProblemUpdate.objects.filter(problem__is_public=True)
        .select_related("problem")
        .order_by("-created_at", "-id")[:limit]
    )


def next_change(now: dt.datetime | None = None) -> dt.datetime:
    """When the page changes by the clock alone: the next maintenance start or end, or the
    next midnight UTC (a new day in the bars). Rendered pages expire then at the latest."""
    now = now or timezone.now()
    midnight = dt.datetime.combine(
        now.astimezone(dt.UTC).date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
    )
    moments = [midnight]
    for starts_at, ends_at in (
        public_maintenance()
        .filter(cancelled_at__isnull=True, ends_at__gt=now, starts_at__lt=midnight)
        .values_list("starts_at", "ends_at")
    ):
        moments += [m for m in (starts_at, ends_at) if m > now]
    return min(moments)
