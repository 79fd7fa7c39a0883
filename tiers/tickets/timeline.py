"""A ticket's timeline: every change leaves a `TicketEvent`."""

from __future__ import annotations

from tiers.tickets.models import TicketEvent


def log_event(ticket, kind, summary, actor=None, public=False, **data) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, summary=summary[:300], actor=actor, public=public, data=data
    )
