"""The ticket status table: which moves it allows, and what every move leaves behind."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tiers import services
from tiers.models import Ticket, TicketTimer
from tiers.services import TierError
from tiers.tickets import lifecycle

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)


def _pending_sla_timers(ticket):
    return ticket.timers.filter(
        kind__in=[TicketTimer.KIND_WARN, TicketTimer.KIND_BREACH], fired_at=None, cancelled_at=None
    )


@pytest.mark.parametrize(
    ("name", "source", "target", "expected"),
    [
        ("staff", Ticket.IN_PROGRESS, Ticket.WAITING, True),
        ("staff", Ticket.CLOSED, Ticket.IN_PROGRESS, True),
        ("staff", Ticket.WAITING, Ticket.WAITING, False),  # not a move
        ("staff_reply", Ticket.ACKNOWLEDGED, Ticket.IN_PROGRESS, True),
        ("staff_reply", Ticket.WAITING, Ticket.IN_PROGRESS, False),
        ("customer_reply", Ticket.WAITING, Ticket.IN_PROGRESS, True),
        ("customer_reply", Ticket.ACKNOWLEDGED, Ticket.IN_PROGRESS, False),
        ("reopen", Ticket.RESOLVED, Ticket.IN_PROGRESS, True),
        ("reopen", Ticket.CLOSED, Ticket.ACKNOWLEDGED, True),
        ("reopen", Ticket.IN_PROGRESS, Ticket.ACKNOWLEDGED, False),
        ("reopen", Ticket.RESOLVED, Ticket.CLOSED, False),
        ("customer_close", Ticket.WAITING, Ticket.CLOSED, True),
        ("customer_close", Ticket.CLOSED, Ticket.CLOSED, False),
        ("customer_close", Ticket.IN_PROGRESS, Ticket.RESOLVED, False),
    ],
)
def test_table_allows_and_forbids(name, source, target, expected):
    assert lifecycle.allowed(Ticket(status=source), name, target) is expected


def test_forbidden_move_raises_and_changes_nothing(org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    events = ticket.events.count()
    with pytest.raises(TierError):
        lifecycle.move(ticket, "reopen", Ticket.IN_PROGRESS, by=org_a_admin, now=MONDAY_9)
    assert ticket.status == Ticket.ACKNOWLEDGED
    assert ticket.events.count() == events


def test_move_writes_the_event_with_old_and_new_status(org_a, org_a_admin, open_ticket, staff_user):
    ticket = open_ticket(org_a, org_a_admin, now=MONDAY_9)
    services.set_status(ticket=ticket, status=Ticket.RESOLVED, by=staff_user, now=MONDAY_9)
    event = ticket.events.get(kind="status")
    assert (event.actor, event.public) == (staff_user, True)
    assert event.data == {"old": Ticket.ACKNOWLEDGED, "new": Ticket.RESOLVED}
    assert event.summary == "Status: Resolved"


def test_waiting_pauses_and_reply_replans_the_sla_timers(
    org_a, org_a_admin, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=MONDAY_9)
    assert _pending_sla_timers(ticket).exists()
    services.set_status(
        ticket=ticket, status=Ticket.WAITING, by=staff_user, now=MONDAY_9 + dt.timedelta(hours=1)
    )
    assert not _pending_sla_timers(ticket).exists()
    resume = MONDAY_9 + dt.timedelta(days=1)
    services.add_reply(ticket=ticket, author=org_a_admin, body="The logs.", now=resume)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.IN_PROGRESS
    replanned = _pending_sla_timers(ticket)
    assert replanned.exists()
    assert all(timer.due_at > resume for timer in replanned)
    resumed = ticket.events.get(kind="clock_resumed")
    assert resumed.actor is None and resumed.data["old"] == Ticket.WAITING


def test_closing_cancels_every_pending_timer(org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=1, now=MONDAY_9)
    assert ticket.timers.filter(fired_at=None, cancelled_at=None).exists()
    services.close_ticket(ticket=ticket, by=org_a_admin, now=MONDAY_9)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.CLOSED and ticket.closed_at == MONDAY_9
    assert not ticket.timers.filter(fired_at=None, cancelled_at=None).exists()
    assert ticket.events.get(kind="status").summary == "Closed by the customer"


def test_closing_while_waiting_drops_the_pause_without_restarting_the_clock(
    org_a, org_a_admin, open_ticket, staff_user
):
    ticket = open_ticket(org_a, org_a_admin, customer_severity=3, now=MONDAY_9)
    services.set_status(ticket=ticket, status=Ticket.WAITING, by=staff_user, now=MONDAY_9)
    services.close_ticket(ticket=ticket, by=org_a_admin, now=MONDAY_9 + dt.timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.paused_at is None and ticket.response_due_at is None
    assert not ticket.timers.filter(fired_at=None, cancelled_at=None).exists()


def test_no_code_outside_the_lifecycle_assigns_a_ticket_status():
    """The table is the only writer: grep the app for direct assignments."""
    import re
    from pathlib import Path

    import tiers

    assignment = re.compile(r"\bticket\.status\s*=(?!=)")
    root = Path(tiers.__file__).parent
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and assignment.search(path.read_text())
    ]
    assert writers == ["tickets/lifecycle.py"]
