"""The staff workspace's reads: the ticket with everything its page shows in a fixed number of
queries, and the SLA clock in words in the reader's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateformat import format as date_format

from resourcecenter.roles import Power, users_with_power
from tiers.plans.models import SeverityLevel
from tiers.selectors import allowance_usage
from tiers.tickets import macros
from tiers.tickets.models import Ticket, TicketAttachment
from tiers.tickets.queue import BREACHING_WITHIN
from tiers.tickets.work_models import Macro


def duration_words(seconds: float) -> str:
    """ "3 h 20 min", "45 min", "2 d 4 h": the largest two units, rounded down to minutes."""
    minutes = max(int(seconds // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "less than a minute"


def clock_time(moment: dt.datetime, now: dt.datetime) -> str:
    """ "14:05 CET" today, "Thu 3 Dec, 14:05 CET" on another day (reader's zone)."""
    local, today = timezone.localtime(moment), timezone.localtime(now)
    if local.date() == today.date():
        return date_format(local, "H:i T")
    return date_format(local, "D j M, H:i T")


@dataclass(frozen=True)
class Clock:
    text: str
    state: str  # "ok", "warning", "breached", "paused", "done", "none"


def sla_clock(ticket: Ticket, now: dt.datetime | None = None) -> Clock:
    """The first-response clock as an analyst reads it."""
    now = now or timezone.now()
    if ticket.first_response_at:
        late = " (late)" if ticket.breached_at else ""
        return Clock(
            f"First response sent {clock_time(ticket.first_response_at, now)}{late}", "done"
        )
    if ticket.status not in Ticket.OPEN_STATUSES:
        return Clock("Closed without a first response", "none")
    if ticket.paused_at:
        return Clock("First-response clock paused while waiting on the customer", "paused")
    if not ticket.response_due_at:
        return Clock("No first-response target on this plan", "none")
    due = ticket.response_due_at
    if ticket.breached_at or due <= now:
        return Clock(
            f"First response overdue by {duration_words((now - due).total_seconds())} "
            f"(was due {clock_time(due, now)})",
            "breached",
        )
    text = f"First response due in {duration_words((due - now).total_seconds())}, "
    text += clock_time(due, now)
    return Clock(text, "warning" if due - now <= BREACHING_WITHIN else "ok")


def workspace_ticket(case_number: str) -> Ticket | None:
    """The ticket and what its page reads, prefetched (messages with their files)."""
    return (
        Ticket.objects.select_related(
            "organisation",
            "plan__severity_scheme",
            "requester",
            "assigned_to",
            "opened_by",
            "thread",
            "merged_into",
            "satisfaction",
        )
        .prefetch_related(
            Prefetch(
                "messages__attachments", queryset=TicketAttachment.objects.order_by("created_at")
            ),
            "messages__author",
            "merged_tickets",
            "ccs__user",
        )
        .filter(case_number=case_number)
        .first()
    )


def severity_levels(ticket: Ticket) -> list[SeverityLevel]:
    """The severity levels of the ticket's plan (none when the plan has no scheme)."""
    if not ticket.plan.severity_scheme_id:
        return []
    return list(SeverityLevel.objects.filter(scheme_id=ticket.plan.severity_scheme_id))


def workspace_data(ticket: Ticket, user) -> dict:
    """Everything else the workspace shows, each a bounded number of queries."""
    levels = severity_levels(ticket)
    active_macros = list(Macro.objects.filter(active=True).select_related("page"))
    urls = macros.page_urls(active_macros)
    return {
        "levels": levels,
        "analysts": list(users_with_power(Power.WORK_TICKETS).order_by("display_name")),
        "macros": active_macros,
        "macro_texts": {str(m.pk): macros.render(m, ticket, user, urls) for m in active_macros},
        "usage": allowance_usage(ticket.organisation, ticket.plan),
        "events": list(ticket.events.select_related("actor")),
        "loose_attachments": list(ticket.attachments.filter(message__isnull=True)),
        "timers": list(ticket.timers.select_related("contact")),
        "time_entries": list(ticket.time_entries.select_related("analyst")),
        "quotes": list(ticket.quotes.all()),
        "clock": sla_clock(ticket),
    }
