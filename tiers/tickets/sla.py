"""SLA clocks and the timers behind them.

The first-response clock of a ticket runs on a calendar picked by its severity (24x7 for the
plan's around-the-clock severities, else the organisation region's business hours). It pauses
while the ticket waits on the customer: `sla_consumed_seconds` keeps the business time already
used and `sla_clock_started_at` marks the running segment, so the due time is always
`add_business_time(started, target - consumed)`.

Every future action (warnings at 50/75/90%, the breach, escalation steps) is a `TicketTimer` row
with a due time. `fire_due_timers` claims each due row with a conditional UPDATE (exactly once,
even with several workers) and acts on it. It runs from `manage.py tiers_sweep` (cron/worker) and
from deferred tasks the creating transaction enqueues, so nothing depends on process memory.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from django_tasks import task

from tiers import sweeps
from tiers.models import BusinessCalendar, Ticket, TicketEvent, TicketTimer
from tiers.plans import business_hours
from tiers.tickets import notify

logger = logging.getLogger(__name__)

WARN_PERCENTS = (50, 75, 90)


def calendar_for(ticket: Ticket) -> business_hours.Calendar:
    code = "24x7" if ticket.around_the_clock else ticket.region
    calendar = BusinessCalendar.objects.filter(code=code).first()
    if calendar is None:
        logger.warning("No business calendar %r; measuring %s 24x7", code, ticket.case_number)
        return business_hours.TWENTY_FOUR_SEVEN
    return calendar.as_calendar()


def _target(ticket: Ticket) -> dt.timedelta | None:
    hours = ticket.plan.response_target_hours
    return None if hours is None else dt.timedelta(hours=float(hours))


def start_clock(ticket: Ticket, now: dt.datetime) -> list[TicketTimer]:
    target = _target(ticket)
    if target is None:
        return []
    ticket.response_target_seconds = int(target.total_seconds())
    ticket.sla_consumed_seconds = 0
    ticket.sla_clock_started_at = now
    ticket.paused_at = None
    ticket.response_due_at = business_hours.add_business_time(now, target, calendar_for(ticket))
    return schedule_sla_timers(ticket)


def _consumed_until(ticket: Ticket, now: dt.datetime, calendar=None) -> int:
    used = ticket.sla_consumed_seconds
    if ticket.sla_clock_started_at:
        calendar = calendar or calendar_for(ticket)
        used += int(
            business_hours.business_time_between(
                ticket.sla_clock_started_at, now, calendar
            ).total_seconds()
        )
    return used


def pause_clock(ticket: Ticket, now: dt.datetime) -> None:
    if ticket.first_response_at or not ticket.sla_clock_started_at:
        return
    # A warning or breach already due but not yet swept happened before the pause: act on it
    # now, or cancelling the timers below would lose it.
    fire_overdue(ticket, now)
    ticket.sla_consumed_seconds = _consumed_until(ticket, now)
    ticket.sla_clock_started_at = None
    ticket.paused_at = now
    ticket.response_due_at = None
    cancel_timers(ticket, [TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH], now)


def resume_clock(ticket: Ticket, now: dt.datetime) -> list[TicketTimer]:
    ticket.paused_at = None
    if (
        ticket.first_response_at
        or ticket.sla_clock_started_at
        or not ticket.response_target_seconds
    ):
        return []
    ticket.sla_clock_started_at = now
    remaining = max(0, ticket.response_target_seconds - ticket.sla_consumed_seconds)
    ticket.response_due_at = business_hours.add_business_time(
        now, dt.timedelta(seconds=remaining), calendar_for(ticket)
    )
    return schedule_sla_timers(ticket)


def reopen_clock(ticket: Ticket, now: dt.datetime, stopped_at: dt.datetime | None) -> None:
    """A resolved or closed case is open again: a clock still owing its first response runs
    on from where it stopped (time used before resolving still counts), with its warnings,
    breach and the escalations not yet sent planned again."""
    if ticket.sla_clock_started_at and stopped_at and not ticket.first_response_at:
        ticket.sla_consumed_seconds = _consumed_until(ticket, stopped_at)
    ticket.sla_clock_started_at = None
    resume_clock(ticket, now)
    schedule_escalations(ticket, now, renotify=False)


def recalculate(ticket: Ticket, now: dt.datetime, old_calendar) -> list[TicketTimer]:
    """After a severity change: keep the time used so far, continue on the new calendar."""
    if ticket.first_response_at or not ticket.sla_clock_started_at:
        return []
    ticket.sla_consumed_seconds = _consumed_until(ticket, now, old_calendar)
    ticket.sla_clock_started_at = now
    remaining = max(0, ticket.response_target_seconds - ticket.sla_consumed_seconds)
    ticket.response_due_at = business_hours.add_business_time(
        now, dt.timedelta(seconds=remaining), calendar_for(ticket)
    )
    return schedule_sla_timers(ticket)


def stop_clock(ticket: Ticket, now: dt.datetime) -> None:
    """The first response went out: the clock has done its job."""
    if ticket.sla_clock_started_at:
        ticket.sla_consumed_seconds = _consumed_until(ticket, now)
    ticket.sla_clock_started_at = None
    ticket.paused_at = None
    cancel_timers(ticket, [TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH], now)


def schedule_sla_timers(ticket: Ticket) -> list[TicketTimer]:
    """(Re)create the warning and breach timers for the running segment of the clock."""
    now = ticket.sla_clock_started_at
    cancel_timers(ticket, [TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH], now)
    if not now or not ticket.response_target_seconds or ticket.first_response_at:
        return []
    calendar = calendar_for(ticket)
    consumed = ticket.sla_consumed_seconds
    timers = []
    for percent in WARN_PERCENTS:
        threshold = ticket.response_target_seconds * percent // 100
        if threshold > consumed:
            due = business_hours.add_business_time(
                now, dt.timedelta(seconds=threshold - consumed), calendar
            )
            timers.append(
                TicketTimer(ticket=ticket, kind=TicketTimer.KIND_WARN, percent=percent, due_at=due)
            )
    if ticket.breached_at is None:
        timers.append(
            TicketTimer(ticket=ticket, kind=TicketTimer.KIND_BREACH, due_at=ticket.response_due_at)
        )
    created = TicketTimer.objects.bulk_create(timers)
    enqueue_for(created)
    return created


def schedule_escalations(
    ticket: Ticket, now: dt.datetime, *, renotify: bool = True
) -> list[TicketTimer]:
    """Timers for the plan's escalation rules at the ticket's current severity.

    Escalation only goes upward: with `renotify` False (a lowered severity, a reopening)
    contacts already escalated to on this ticket are not told again.
    """
    cancel_timers(ticket, [TicketTimer.KIND_ESCALATE], now)
    rules = ticket.plan.escalation_rules.filter(
        severity=ticket.severity, contact__active=True
    ).select_related("contact")
    if not renotify and ticket.pk:
        told = TicketTimer.objects.filter(
            ticket=ticket, kind=TicketTimer.KIND_ESCALATE, fired_at__isnull=False
        ).values("contact_id")
        rules = rules.exclude(contact_id__in=told)
    timers = [
        TicketTimer(
            ticket=ticket,
            kind=TicketTimer.KIND_ESCALATE,
            contact=rule.contact,
            due_at=now + dt.timedelta(minutes=rule.after_minutes),
        )
        for rule in rules
    ]
    created = TicketTimer.objects.bulk_create(timers)
    enqueue_for(created)
    return created


def cancel_timers(ticket: Ticket, kinds: list[str] | None, now: dt.datetime | None) -> None:
    if not ticket.pk:
        return
    timers = TicketTimer.objects.filter(
        ticket=ticket, fired_at__isnull=True, cancelled_at__isnull=True
    )
    if kinds:
        timers = timers.filter(kind__in=kinds)
    timers.update(cancelled_at=now or timezone.now())


@task()
def fire_due_timers_task() -> int:
    return fire_due_timers()


def enqueue_for(timers: list[TicketTimer]) -> None:
    """After commit, ask the worker to run the sweep at each timer's due time.

    Backends that cannot defer (the immediate backend of tests and `make run`) only get the
    timers already due; the periodic `tiers_sweep` covers the rest.
    """
    if not timers:
        return
    dues = sorted({timer.due_at for timer in timers})

    def enqueue():
        backend_defers = fire_due_timers_task.get_backend().supports_defer
        now = timezone.now()
        if any(due <= now for due in dues):
            fire_due_timers_task.enqueue()
        if backend_defers:
            for due in dues:
                if due > now:
                    fire_due_timers_task.using(run_after=due).enqueue()

    transaction.on_commit(enqueue)


@sweeps.job("timers", order=10)
def fire_due_timers(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Fire every due, unfired, uncancelled timer once. Returns how many fired."""
    now = now or timezone.now()
    fired = 0
    due_ids = list(
        TicketTimer.objects.filter(
            fired_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in due_ids:
        with transaction.atomic():
            claimed = TicketTimer.objects.filter(
                pk=pk, fired_at__isnull=True, cancelled_at__isnull=True
            ).update(fired_at=now)
            if not claimed:
                continue
            timer = TicketTimer.objects.select_related(
                "ticket__plan", "ticket__organisation", "ticket__assigned_to", "contact"
            ).get(pk=pk)
            _fire(timer, now)
            fired += 1
    return fired


def fire_overdue(ticket: Ticket, now: dt.datetime) -> int:
    """Fire this ticket's warning and breach timers already due at `now`, on the caller's
    (locked, not yet saved) ticket. Returns how many fired."""
    fired = 0
    overdue = TicketTimer.objects.filter(
        ticket=ticket,
        kind__in=[TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH],
        fired_at__isnull=True,
        cancelled_at__isnull=True,
        due_at__lte=now,
    ).order_by("due_at")
    for timer in overdue:
        if TicketTimer.objects.filter(pk=timer.pk, fired_at__isnull=True).update(fired_at=now):
            _fire(timer, now, ticket)
            fired += 1
    return fired


def _fire(timer: TicketTimer, now: dt.datetime, ticket: Ticket | None = None) -> None:
    if ticket is None:
        ticket = Ticket.objects.select_for_update().get(pk=timer.ticket_id)
    if timer.kind == TicketTimer.KIND_WARN:
        if ticket.first_response_at or not ticket.is_open or not ticket.sla_clock_started_at:
            return
        TicketEvent.objects.create(
            ticket=ticket,
            kind="sla_warning",
            summary=f"{timer.percent}% of the response target used",
            data={"percent": timer.percent, "due": ticket.response_due_at.isoformat()},
        )
        notify.sla_warning(ticket, timer.percent)
    elif timer.kind == TicketTimer.KIND_BREACH:
        if ticket.first_response_at or not ticket.is_open or not ticket.sla_clock_started_at:
            return
        if ticket.breached_at is None:
            ticket.breached_at = timer.due_at
            ticket.save(update_fields=["breached_at", "updated_at"])
            TicketEvent.objects.create(
                ticket=ticket,
                kind="sla_breached",
                summary="First-response target missed",
                data={"due": timer.due_at.isoformat()},
            )
            notify.sla_breach(ticket)
    elif timer.kind == TicketTimer.KIND_ESCALATE and timer.contact_id:
        if ticket.status in (Ticket.RESOLVED, Ticket.CLOSED):
            return
        contact = timer.contact
        TicketEvent.objects.create(
            ticket=ticket,
            kind="escalated",
            summary=f"Escalated to {contact.title}",
            data={"contact": contact.email, "severity": ticket.severity},
        )
        notify.escalation_contact(
            ticket, contact, f"Severity {ticket.severity} case escalated to you (not resolved)."
        )
