"""How well the proactive-notification promise was kept ("within 30 minutes" for Infinity):
a read the incident's admin page shows and case/KPI reports reuse.

A notice counts as on time when it left by its deadline (`sent_at`: when the mail worker
handed it to the mail server, not when it was queued) (`declared_at` plus the recipient's
plan window). Pending notices whose deadline has passed are already late; pending ones still
inside their window are not counted either way. Skipped notices (the person stopped being a
contact) are reported but never count against the target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tiers.incidents.models import ProblemNotification


@dataclass(frozen=True)
class NoticeAttainment:
    sent: int
    on_time: int
    late: int
    overdue: int  # pending past the deadline
    pending: int  # pending, still inside the window
    skipped: int
    slowest_seconds: int | None  # longest declared-to-sent delay among the sent notices

    @property
    def measured(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def percent(self) -> float | None:
        """Share of measured notices sent within the target (None when nothing is measured)."""
        if not self.measured:
            return None
        return round(100 * self.on_time / self.measured, 1)

    @property
    def slowest_minutes(self) -> float | None:
        return None if self.slowest_seconds is None else round(self.slowest_seconds / 60, 1)


def notices(
    *, problem=None, organisation=None, start: dt.datetime | None = None, end=None
) -> QuerySet[ProblemNotification]:
    """The notices of one incident, one organisation, and/or declared in [start, end)."""
    rows = ProblemNotification.objects.all()
    if problem is not None:
        rows = rows.filter(update__problem=problem)
    if organisation is not None:
        rows = rows.filter(organisations=organisation)
    if start is not None:
        rows = rows.filter(declared_at__gte=start)
    if end is not None:
        rows = rows.filter(declared_at__lt=end)
    return rows


def _figures(now: dt.datetime) -> dict:
    """The aggregates behind NoticeAttainment's counts: the one home of "on time"."""
    sent = Q(status=ProblemNotification.SENT)
    # Queued e-mails have not left yet: like pending ones they are late once past the deadline.
    pending = Q(status__in=ProblemNotification.NOT_SENT_YET)
    return {
        "sent": Count("pk", filter=sent, distinct=True),
        "on_time": Count("pk", filter=sent & Q(sent_at__lte=F("deadline_at")), distinct=True),
        "late": Count("pk", filter=sent & Q(sent_at__gt=F("deadline_at")), distinct=True),
        "overdue": Count("pk", filter=pending & Q(deadline_at__lt=now), distinct=True),
        "pending": Count("pk", filter=pending & Q(deadline_at__gte=now), distinct=True),
        "skipped": Count("pk", filter=Q(status=ProblemNotification.SKIPPED), distinct=True),
    }


def notice_attainment(rows: QuerySet[ProblemNotification] | None = None, now=None):
    """Attainment over `rows` (see `notices`), in one aggregate query."""
    rows = ProblemNotification.objects.all() if rows is None else rows
    figures = rows.aggregate(**_figures(now or timezone.now()))
    delays = [
        (sent_at - declared_at).total_seconds()
        for declared_at, sent_at in rows.filter(
            status=ProblemNotification.SENT, declared_at__isnull=False
        )
        .values_list("declared_at", "sent_at")
        .distinct()
    ]
    return NoticeAttainment(**figures, slowest_seconds=int(max(delays)) if delays else None)


@dataclass(frozen=True)
class MonthlyNoticeAttainment(NoticeAttainment):
    month: dt.date  # the first day of the month (UTC) the notices were declared in


def monthly_attainment(
    start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> list[MonthlyNoticeAttainment]:
    """Attainment per calendar month (UTC) of the notices declared in [start, end), newest
    month first, in one grouped query. Notices from before declared-at was recorded have no
    moment to measure from and are left out."""
    delay = ExpressionWrapper(F("sent_at") - F("declared_at"), output_field=DurationField())
    rows = (
        notices(start=start, end=end)
        .filter(declared_at__isnull=False)
        .annotate(month=TruncMonth("declared_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(
            **_figures(now or timezone.now()),
            slowest=Max(delay, filter=Q(status=ProblemNotification.SENT)),
        )
        .order_by("-month")
    )
    return [_month_row(**row) for row in rows]


def _month_row(*, month, slowest, **counts) -> MonthlyNoticeAttainment:
    return MonthlyNoticeAttainment(
        **counts,
        month=month.date() if isinstance(month, dt.datetime) else month,
        slowest_seconds=None if slowest is None else int(slowest.total_seconds()),
    )
