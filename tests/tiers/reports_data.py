"""A month of tickets for the report tests, with varied severity, category and outcome.

The tests compute what the reports must say from the objects made here (never from the
report code), so a figure the report gets wrong fails them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from tiers.models import Organisation, Ticket, TimeEntry
from tiers.plans.selectors import region_zone
from tiers.selectors import month_bounds

CATEGORIES = ["troubleshooting", "provisioning", "web_services", "other"]
STATES = [Ticket.NEW, Ticket.IN_PROGRESS, Ticket.WAITING, Ticket.RESOLVED, Ticket.CLOSED]


def last_month(organisation: Organisation, now=None) -> tuple[dt.datetime, dt.datetime]:
    """The previous calendar month in the organisation's region (start, end)."""
    zone = region_zone(organisation.region)
    this_start, _ = month_bounds(now, zone)
    return month_bounds(this_start - dt.timedelta(days=1), zone)


def backdate(organisation: Organisation, days: int = 120) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )
    organisation.refresh_from_db()


def make_month(open_ticket, organisation, requester, start, *, count=9, seed=1) -> list[Ticket]:
    """`count` tickets opened inside the month starting at `start`, in varied states."""
    rng = random.Random(seed)
    tickets = []
    for index in range(count):
        opened = start + dt.timedelta(days=1 + index * 2, hours=rng.randint(0, 9))
        ticket = open_ticket(
            organisation,
            requester,
            subject=f"Report case {index}",
            category=CATEGORIES[index % len(CATEGORIES)],
            customer_severity=1 + index % 4,
            now=opened,
        )
        changes = {"status": STATES[index % len(STATES)], "severity": 1 + index % 4}
        if index % 3 != 2:  # two in three got a first response
            changes["first_response_at"] = opened + dt.timedelta(minutes=30 + 40 * index)
        if index % 4 == 1:  # some breached the response target
            changes["breached_at"] = opened + dt.timedelta(hours=12)
        if changes["status"] in (Ticket.RESOLVED, Ticket.CLOSED):
            changes["resolved_at"] = opened + dt.timedelta(hours=5 + index)
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
        if index % 2 == 0:
            TimeEntry.objects.create(
                ticket=ticket,
                minutes=15 + index,
                category=ticket.category,
                logged_at=opened + dt.timedelta(hours=1),
            )
        ticket.refresh_from_db()
        tickets.append(ticket)
    return tickets
