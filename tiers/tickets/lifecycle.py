"""A ticket's status: the one table of allowed moves, and the one function that makes them.

Every status change - a staff action, a reply (by web or e-mail), a reopening, a customer
closing their case - goes through `move()`, which checks the move against `TRANSITIONS`,
stamps the resolved/closed times, (re)plans the SLA timers and writes the timeline event.
Callers hold the ticket row locked (select_for_update) and save it afterwards.

What happens to the clock depends only on the states left and entered:
- entering "waiting on the customer" pauses the first-response clock;
- leaving it for an open state resumes the clock (and re-plans its timers); leaving it for
  resolved or closed only drops the pause;
- entering resolved or closed cancels every pending timer and measures the resolution against
  its target and the analyst's estimate (tiers.tickets.resolution); reopening forgets that
  and leaves the time spent resolved (like the time waiting on the customer) uncounted;
- leaving resolved or closed for an open state re-plans them: a clock still owing the first
  response runs on from where it stopped, and escalations not yet sent are planned again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tiers.errors import TierError
from tiers.tickets import resolution, sla
from tiers.tickets.models import Ticket
from tiers.tickets.timeline import log_event

ALL = frozenset(status for status, _label in Ticket.STATUS_CHOICES)
TERMINAL = frozenset({Ticket.RESOLVED, Ticket.CLOSED})


@dataclass(frozen=True)
class Transition:
    """A named kind of move: from which statuses, to which, and the event it leaves.

    `targets` lists where the move may go (the caller picks one when there are several);
    `event` is (kind, summary) or None when the cause records its own event (a staff reply
    is recorded as the reply). `summary` may use {label}, the new status's display name.
    """

    name: str
    sources: frozenset[str]
    targets: frozenset[str]
    event: tuple[str, str] | None
    public: bool = True
    records_actor: bool = True


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        # Staff move a ticket anywhere in its lifecycle (ticket page, admin, demo).
        Transition("staff", ALL, ALL, ("status", "Status: {label}")),
        # An analyst's public reply starts work on a new or acknowledged ticket.
        Transition(
            "staff_reply",
            frozenset({Ticket.NEW, Ticket.ACKNOWLEDGED}),
            frozenset({Ticket.IN_PROGRESS}),
            None,
        ),
        # The customer answers while the analyst waits on them: the clock runs again.
        Transition(
            "customer_reply",
            frozenset({Ticket.WAITING}),
            frozenset({Ticket.IN_PROGRESS}),
            ("clock_resumed", "SLA clock resumed"),
            records_actor=False,
        ),
        # The customer replies to a resolved or closed case within the plan's reopen window.
        Transition(
            "reopen",
            TERMINAL,
            frozenset({Ticket.ACKNOWLEDGED, Ticket.IN_PROGRESS}),
            ("reopened", "Reopened by the customer's reply"),
        ),
        # Staff merge a duplicate into another case: closed, with a pointer the merge records.
        Transition("merge", ALL - {Ticket.CLOSED}, frozenset({Ticket.CLOSED}), None),
        # The customer closes their own case.
        Transition(
            "customer_close",
            ALL - {Ticket.CLOSED},
            frozenset({Ticket.CLOSED}),
            ("status", "Closed by the customer"),
        ),
    )
}


def allowed(ticket: Ticket, name: str, target: str) -> bool:
    """May `ticket` make the move `name` to `target` from where it is now?"""
    transition = TRANSITIONS[name]
    return (
        ticket.status != target
        and ticket.status in transition.sources
        and target in transition.targets
    )


def reopen_target(ticket: Ticket) -> str:
    """A reopened case goes back to work, or to waiting for a first response if it had none."""
    return Ticket.IN_PROGRESS if ticket.first_response_at else Ticket.ACKNOWLEDGED


def move(ticket: Ticket, name: str, target: str, *, by=None, now: dt.datetime) -> Ticket:
    """Make the move, or raise TierError when the table does not allow it.

    Sets the status and its timestamps, pauses / resumes / cancels the SLA timers and writes
    the transition's timeline event (acting user `by`, old and new status in its data). The
    caller saves the ticket.
    """
    transition = TRANSITIONS[name]
    if not allowed(ticket, name, target):
        raise TierError(
            f"A ticket cannot go from {ticket.get_status_display().lower()} to "
            f"{dict(Ticket.STATUS_CHOICES).get(target, target).lower()} this way."
        )
    old = ticket.status
    _leave(ticket, old, target, now)
    ticket.status = target
    _enter(ticket, target, now)
    if transition.event is not None:
        kind, summary = transition.event
        log_event(
            ticket,
            kind,
            summary.format(label=ticket.get_status_display()),
            actor=by if transition.records_actor else None,
            public=transition.public,
            old=old,
            new=target,
        )
    return ticket


def _leave(ticket: Ticket, old: str, target: str, now: dt.datetime) -> None:
    if old == Ticket.WAITING:
        resolution.stop_waiting(ticket, now)
    if old in TERMINAL and target not in TERMINAL:
        resolution.reopened(ticket, now)
        sla.reopen_clock(ticket, now, stopped_at=ticket.resolved_at or ticket.closed_at)
    elif old == Ticket.WAITING:
        if target in TERMINAL:
            ticket.paused_at = None
        else:
            sla.resume_clock(ticket, now)


def _enter(ticket: Ticket, target: str, now: dt.datetime) -> None:
    if target == Ticket.WAITING:
        sla.pause_clock(ticket, now)
        ticket.waiting_since = now
    if target == Ticket.RESOLVED:
        ticket.resolved_at = now
        resolution.measure(ticket, now)
        sla.cancel_timers(ticket, None, now)
    elif target == Ticket.CLOSED:
        ticket.closed_at = now
        if ticket.resolved_at is None:
            ticket.resolved_at = now
            resolution.measure(ticket, now)
        sla.cancel_timers(ticket, None, now)
    else:
        ticket.resolved_at = None
        ticket.closed_at = None
