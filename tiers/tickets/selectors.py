"""Reads about tickets for staff reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

DEFAULT_ACK_TARGET_MINUTES = 5


@dataclass(frozen=True)
class AcknowledgementAttainment:
    total: int
    on_time: int
    late: int
    unsent: int

    @property
    def percent(self) -> int | None:
        """Share of tickets acknowledged within target, in whole percent (None: no tickets)."""
        return None if not self.total else round(100 * self.on_time / self.total)

    def describe(self, period: str = "") -> str:
        label = f"Acknowledgements within target{f' ({period})' if period else ''}"
        if not self.total:
            return f"{label}: no tickets."
        return (
            f"{label}: {self.on_time} of {self.total} "
            f"({self.percent}%); late {self.late}; not sent yet {self.unsent}."
        )


def acknowledgement_attainment(tickets) -> AcknowledgementAttainment:
    """How many of `tickets` had their acknowledgement e-mail sent within the plan's target
    (ack_target_minutes, default 5) of opening, measured on the real send time."""
    delay = ExpressionWrapper(
        F("acknowledgement_sent_at") - F("created_at"), output_field=DurationField()
    )
    rows = tickets.annotate(ack_delay=delay).values("plan__ack_target_minutes", "ack_delay")
    total = on_time = unsent = 0
    for row in rows.iterator():
        total += 1
        if row["ack_delay"] is None:
            unsent += 1
            continue
        target = row["plan__ack_target_minutes"] or DEFAULT_ACK_TARGET_MINUTES
        on_time += row["ack_delay"] <= dt.timedelta(minutes=target)
    return AcknowledgementAttainment(total, on_time, total - on_time - unsent, unsent)


def recent_acknowledgement_attainment(days: int = 30) -> AcknowledgementAttainment:
    """The attainment over tickets opened in the last `days` days."""
    from tiers.tickets.models import Ticket

    since = timezone.now() - dt.timedelta(days=days)
    return acknowledgement_attainment(Ticket.objects.filter(created_at__gte=since))


@dataclass(frozen=True)
class ResolutionAttainment:
    """Resolved tickets against their plan's resolution target and the analyst's estimate."""

    resolved: int
    with_target: int
    within_target: int
    with_estimate: int
    by_estimate: int

    def describe(self, period: str = "") -> str:
        label = f"Resolutions{f' ({period})' if period else ''}"
        if not self.resolved:
            return f"{label}: none."
        return (
            f"{label}: {self.within_target} of {self.with_target} within target; "
            f"{self.by_estimate} of {self.with_estimate} by the estimated time."
        )


def resolution_attainment(tickets) -> ResolutionAttainment:
    """Counts over `tickets` measured when resolved (tiers.tickets.resolution)."""
    figures = tickets.filter(resolved_at__isnull=False).aggregate(
        resolved=Count("pk"),
        with_target=Count("pk", filter=Q(resolution_met__isnull=False)),
        within_target=Count("pk", filter=Q(resolution_met=True)),
        with_estimate=Count("pk", filter=Q(estimated_resolution_met__isnull=False)),
        by_estimate=Count("pk", filter=Q(estimated_resolution_met=True)),
    )
    return ResolutionAttainment(**figures)


def recent_resolution_attainment(days: int = 30) -> ResolutionAttainment:
    """The attainment over tickets resolved in the last `days` days."""
    from tiers.tickets.models import Ticket

    since = timezone.now() - dt.timedelta(days=days)
    return resolution_attainment(Ticket.objects.filter(resolved_at__gte=since))
