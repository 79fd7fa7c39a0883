"""Reads for the staff ticket queue: its order, its saved views and the counts in the admin menu.

One home for "what is due first": open tickets still waiting for their first response come
first, earliest due first (so overdue ones lead), then the other open tickets (oldest first),
then closed ones. The queue screen (tiers.tickets.viewsets) and its menu item both read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from tiers.tickets.models import Ticket

BREACHING_WITHIN = dt.timedelta(hours=2)

AWAITING_RESPONSE = Q(
    status__in=Ticket.OPEN_STATUSES, first_response_at__isnull=True, paused_at__isnull=True
)
WAITING_ON_CUSTOMER = Q(status=Ticket.WAITING) | Q(
    status__in=Ticket.OPEN_STATUSES, paused_at__isnull=False
)


def in_queue_order(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Overdue and soonest-due first (see the module docstring)."""
    rank = Case(
        When(AWAITING_RESPONSE & Q(response_due_at__isnull=False), then=Value(0)),
        When(status__in=Ticket.OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return tickets.annotate(queue_rank=rank).order_by(
        "queue_rank", "response_due_at", "severity", "created_at", "pk"
    )


def breaching_soon(now: dt.datetime | None = None) -> Q:
    """Open, not yet answered, not yet breached, first response due within two hours."""
    now = now or timezone.now()
    return AWAITING_RESPONSE & Q(
        breached_at__isnull=True, response_due_at__lte=now + BREACHING_WITHIN
    )


@dataclass(frozen=True)
class SavedView:
    slug: str
    label: str


SAVED_VIEWS = [
    SavedView("mine", "Mine"),
    SavedView("unassigned", "Unassigned"),
    SavedView("breaching", "Breaching within 2 h"),
]


def saved_view(tickets: QuerySet[Ticket], slug: str, user, now=None) -> QuerySet[Ticket]:
    """The open tickets of one saved view ("mine", "unassigned", "breaching")."""
    open_tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    if slug == "mine":
        return open_tickets.filter(assigned_to=user)
    if slug == "unassigned":
        return open_tickets.filter(assigned_to__isnull=True)
    if slug == "breaching":
        return open_tickets.filter(breaching_soon(now))
    return tickets


@dataclass(frozen=True)
class QueueCounts:
    open: int
    mine: int
    unassigned: int
    breached: int
    breaching: int


def queue_counts(user, now=None) -> QueueCounts:
    """The menu's figures, in one query."""
    now = now or timezone.now()
    figures = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).aggregate(
        open=Count("pk"),
        mine=Count("pk", filter=Q(assigned_to=user)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        breached=Count("pk", filter=Q(breached_at__isnull=False, first_response_at__isnull=True)),
        breaching=Count("pk", filter=breaching_soon(now)),
    )
    return QueueCounts(**figures)
