"""Resolution: the plan's target per severity and the analyst's estimate, both measured.

- `plan_target` copies the plan's resolution target for the ticket's severity onto the ticket
  (at opening and when the analyst changes the severity).
- `measure` runs when the ticket enters resolved (or closed without being resolved first), from
  the lifecycle's one place for status changes: the business time it took on the ticket's
  calendar (the first response's: 24x7 for the plan's around-the-clock severities, else the
  region's hours), without the time spent waiting on the customer, against the target; and
  whether it came by the estimated time of resolution, if one was given.
- `set_estimated_resolution` is the analyst's action: one public timeline event, the customer
  told by e-mail, the estimate shown on their ticket page in their time zone.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.plans import business_hours
from tiers.plans.targets import target_seconds
from tiers.tickets import notify, sla
from tiers.tickets.models import Ticket
from tiers.tickets.timeline import log_event

# An estimate further out than this is a typo (a year instead of a day), not a plan.
MAX_ESTIMATE = dt.timedelta(days=366)


def plan_target(ticket: Ticket) -> None:
    """The plan's resolution target for the ticket's current severity (0: none promised)."""
    ticket.resolution_target_seconds = target_seconds(ticket.plan, ticket.severity)


def _exclude(ticket: Ticket, start: dt.datetime, end: dt.datetime) -> None:
    excluded = business_hours.business_time_between(start, end, sla.calendar_for(ticket))
    ticket.excluded_business_seconds += int(excluded.total_seconds())


def stop_waiting(ticket: Ticket, now: dt.datetime) -> None:
    """The customer's turn is over: its business time does not count toward resolving."""
    if ticket.waiting_since is not None:
        _exclude(ticket, ticket.waiting_since, now)
    ticket.waiting_since = None


def reopened(ticket: Ticket, now: dt.datetime) -> None:
    """A resolved case is open again: the time it spent resolved does not count, and it is
    measured again when it is resolved again."""
    if ticket.resolved_at is not None:
        _exclude(ticket, ticket.resolved_at, now)
    ticket.resolution_business_seconds = None
    ticket.resolution_met = None
    ticket.estimated_resolution_met = None


def business_seconds_to_resolve(ticket: Ticket, resolved_at: dt.datetime) -> int:
    calendar = sla.calendar_for(ticket)
    worked = business_hours.business_time_between(ticket.created_at, resolved_at, calendar)
    return max(0, int(worked.total_seconds()) - ticket.excluded_business_seconds)


def measure(ticket: Ticket, resolved_at: dt.datetime) -> None:
    """Record how the resolution went against the target and the estimate (not saved)."""
    used = business_seconds_to_resolve(ticket, resolved_at)
    ticket.resolution_business_seconds = used
    target = ticket.resolution_target_seconds
    ticket.resolution_met = (used <= target) if target else None
    estimate = ticket.estimated_resolution_at
    ticket.estimated_resolution_met = (resolved_at <= estimate) if estimate else None


def set_estimated_resolution(
    *, ticket: Ticket, by, when: dt.datetime, now: dt.datetime | None = None
) -> Ticket:
    """The analyst's estimated time of resolution. The customer is told and sees it on the
    ticket; it is measured when the ticket is resolved."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support analysts set the estimated resolution.")
    now = now or timezone.now()
    if timezone.is_naive(when):
        raise TierError("Give the estimated resolution with its time zone.")
    if when <= now:
        raise TierError("The estimated resolution must be in the future.")
    if when - now > MAX_ESTIMATE:
        raise TierError("The estimated resolution must be within a year.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("plan").get(pk=ticket.pk)
        if not ticket.is_open:
            raise TierError("The case is resolved or closed; reopen it to give an estimate.")
        old = ticket.estimated_resolution_at
        ticket.estimated_resolution_at = when
        ticket.save(update_fields=["estimated_resolution_at", "updated_at"])
        log_event(
            ticket,
            "estimated_resolution",
            "Estimated resolution updated" if old else "Estimated resolution given",
            actor=by,
            public=True,
            old=old.isoformat() if old else None,
            new=when.isoformat(),
        )
        notify.estimated_resolution(ticket)
    return ticket
