"""An organisation's case report for one month: the figures the report page, its CSV and the
monthly KPI e-mail all show (one computation, so they can never disagree).

The month is a calendar month as the organisation's region counts it (the same month the
allowance uses). The report covers the tickets *opened* in that month: counts by severity,
category and current state; first response against the plan's target; resolution; the
automated acknowledgement; the month's allowance use; satisfaction when it is collected.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from tiers.models import Organisation, Plan, SeverityLevel, Ticket
from tiers.plans.selectors import plan_for, region_zone
from tiers.selectors import AllowanceUsage, allowance_usage, month_bounds
from tiers.tickets.selectors import AcknowledgementAttainment, acknowledgement_attainment
from tiers.tickets.work_models import SatisfactionRating

MONTHS_OFFERED = 12


@dataclass(frozen=True)
class Bar:
    """One counted group: a severity, a category or a state."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class TargetFigures:
    """Tickets measured against a time target: met, missed, not decided yet."""

    measured: int  # tickets the target applies to
    within: int
    missed: int
    pending: int  # no answer yet and not late yet
    median_minutes: int | None  # elapsed time, over the tickets that got there
    target_label: str
    reached: int = 0  # tickets that got there (answered, resolved), in time or not

    @property
    def median_text(self) -> str:
        return "no tickets yet" if self.median_minutes is None else span(self.median_minutes)

    @property
    def percent(self) -> int | None:
        decided = self.within + self.missed
        return None if not decided else round(100 * self.within / decided)


@dataclass
class CaseReport:
    organisation: Organisation
    plan: Plan | None
    month: dt.date
    start: dt.datetime
    end: dt.datetime
    total: int
    by_severity: list[Bar]
    by_category: list[Bar]
    by_state: list[Bar]
    first_response: TargetFigures
    resolution: TargetFigures
    acknowledgement: AcknowledgementAttainment
    allowance: AllowanceUsage | None
    satisfaction: dict | None = None
    extra: dict = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, str]]:
        """(section, item, value) lines: the CSV export and the e-mail's figures."""
        lines = [("Period", "Month", f"{self.month:%Y-%m}"), ("Tickets", "Opened", str(self.total))]
        for section, bars in (
            ("By severity", self.by_severity),
            ("By category", self.by_category),
            ("By state", self.by_state),
        ):
            lines += [(section, bar.label, str(bar.value)) for bar in bars]
        for section, figures in (
            ("First response", self.first_response),
            ("Resolution", self.resolution),
        ):
            lines += [
                (section, "Target", figures.target_label),
                (
                    section,
                    "Answered" if section == "First response" else "Resolved",
                    str(figures.reached),
                ),
                (section, "Within target", str(figures.within)),
                (section, "Missed", str(figures.missed)),
                (
                    section,
                    "Not answered yet" if section == "First response" else "Open",
                    str(figures.pending),
                ),
                (section, "Median time (minutes)", _text(figures.median_minutes)),
                (section, "Attainment (%)", _text(figures.percent)),
            ]
        ack = self.acknowledgement
        lines += [
            ("Acknowledgement", "Within target", str(ack.on_time)),
            ("Acknowledgement", "Late", str(ack.late)),
            ("Acknowledgement", "Not sent yet", str(ack.unsent)),
        ]
        if self.allowance:
            for line in self.allowance.lines:
                limit = "no limit" if line.limit is None else f"{line.limit} {line.unit}"
                lines.append(("Allowance", line.label, f"{line.used} {line.unit} of {limit}"))
        if self.satisfaction:
            lines += [("Satisfaction", key, str(value)) for key, value in self.satisfaction.items()]
        return lines


def span(minutes: int) -> str:
    """Elapsed time as people say it: "45 min", "3 h 5 min", "2 days 4 h"."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''} {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def _text(value) -> str:
    return "" if value is None else str(value)


def parse_month(value: str) -> dt.date:
    """ "2026-11" -> 1 Nov 2026; ValueError for anything else."""
    year, _, month = (value or "").partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and len(month) == 2):
        raise ValueError(value)
    return dt.date(int(year), int(month), 1)


def current_month(organisation: Organisation, now=None) -> dt.date:
    start, _ = month_bounds(now, region_zone(organisation.region))
    return start.date()


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def months_offered(organisation: Organisation, now=None) -> list[dt.date]:
    """The current month and up to eleven before it, none before the organisation existed."""
    month = current_month(organisation, now)
    first = organisation.created_at.date().replace(day=1)
    months = [month]
    while len(months) < MONTHS_OFFERED and months[-1] > first:
        months.append(previous_month(months[-1]))
    return months


def resolution_label(plan: Plan | None) -> str:
    """The resolution targets a report measures against (tiers.plans.targets), in words."""
    if plan is None or not plan.resolution_targets.exists():
        return "none set"
    return "per severity"


def satisfaction_figures(tickets) -> dict | None:
    """The survey's figures for `tickets` (tiers.tickets.satisfaction); None when none was sent."""
    surveys = SatisfactionRating.objects.filter(ticket__in=tickets)
    sent = surveys.count()
    if not sent:
        return None
    ratings = list(surveys.filter(rating__isnull=False).values_list("rating", flat=True))
    average = f"{sum(ratings) / len(ratings):.1f}" if ratings else "no ratings yet"
    return {"Surveys sent": sent, "Rated": len(ratings), "Average rating (1-5)": average}


def case_report(organisation: Organisation, month: dt.date, now=None) -> CaseReport:
    """The figures for the tickets `organisation` opened in `month` (its region's month)."""
    now = now or timezone.now()
    zone = region_zone(organisation.region)
    start, end = month_bounds(
        dt.datetime(month.year, month.month, 15, 12, tzinfo=ZoneInfo(zone)), zone
    )
    plan = plan_for(organisation)
    tickets = Ticket.objects.filter(
        organisation=organisation, created_at__gte=start, created_at__lt=end
    )
    rows = list(
        tickets.values(
            "severity", "category", "status", "created_at", "first_response_at",
            "breached_at", "resolved_at", "resolution_met",
        )
    )  # fmt: skip
    return CaseReport(
        organisation=organisation,
        plan=plan,
        month=start.date(),
        start=start,
        end=end,
        total=len(rows),
        by_severity=_by_severity(rows, plan),
        by_category=_count(rows, "category", Ticket.CATEGORY_CHOICES),
        by_state=_count(rows, "status", Ticket.STATUS_CHOICES),
        first_response=_first_response(rows, plan),
        resolution=_resolution(rows, plan, now),
        acknowledgement=acknowledgement_attainment(tickets),
        allowance=allowance_usage(organisation, plan, start)
        if plan and plan.may_open_tickets
        else None,
        satisfaction=satisfaction_figures(tickets),
    )


def _count(rows, key: str, choices) -> list[Bar]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    return [Bar(value, label, counts.get(value, 0)) for value, label in choices]


def _by_severity(rows, plan: Plan | None) -> list[Bar]:
    names = {}
    if plan and plan.severity_scheme_id:
        names = dict(
            SeverityLevel.objects.filter(scheme_id=plan.severity_scheme_id).values_list(
                "number", "name"
            )
        )
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["severity"]] = counts.get(row["severity"], 0) + 1
    numbers = sorted(set(names) | set(counts))
    return [Bar(str(n), names.get(n) or f"Severity {n}", counts.get(n, 0)) for n in numbers]


def _minutes(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _median(values: list[int]) -> int | None:
    return int(statistics.median(values)) if values else None


def _first_response(rows, plan: Plan | None) -> TargetFigures:
    """Met: answered with no breach recorded (the SLA clock, in business hours, pauses while
    waiting on the customer); missed: breached; pending: neither yet."""
    within = missed = pending = 0
    times = []
    for row in rows:
        if row["first_response_at"]:
            times.append(_minutes(row["created_at"], row["first_response_at"]))
        if row["breached_at"]:
            missed += 1
        elif row["first_response_at"]:
            within += 1
        else:
            pending += 1
    hours = plan.response_target_hours if plan else None
    label = "none" if hours is None else f"{hours.normalize():f} business hours"
    return TargetFigures(
        len(rows), within, missed, pending, _median(times), label, reached=len(times)
    )


def _resolution(rows, plan: Plan | None, now: dt.datetime) -> TargetFigures:
    """Met or missed as the lifecycle recorded it at resolution (`resolution_met`, measured in
    the business hours that count for the severity); pending: not resolved yet."""
    within = missed = pending = 0
    times = []
    for row in rows:
        if row["resolved_at"]:
            times.append(_minutes(row["created_at"], row["resolved_at"]))
            within += row["resolution_met"] is True
            missed += row["resolution_met"] is False
        else:
            pending += 1
    return TargetFigures(
        len(rows),
        within,
        missed,
        pending,
        _median(times),
        resolution_label(plan),
        reached=len(times),
    )
