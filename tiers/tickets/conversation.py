"""Replies, status changes, closing and reopening a ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.permissions import can_act_as_customer
from tiers.tickets import lifecycle, notify, satisfaction, sla
from tiers.tickets.attachments import Upload, store_attachments
from tiers.tickets.models import Ticket, TicketMessage
from tiers.tickets.timeline import log_event


def _reopen_deadline(ticket: Ticket) -> dt.datetime | None:
    ended = ticket.closed_at or ticket.resolved_at
    if ended is None:
        return None
    return ended + dt.timedelta(days=ticket.plan.reopen_window_days)


def can_reopen(ticket: Ticket, now=None) -> bool:
    deadline = _reopen_deadline(ticket)
    return deadline is not None and (now or timezone.now()) <= deadline


def add_reply(
    *,
    ticket: Ticket,
    author,
    body: str,
    internal: bool = False,
    uploads: Iterable[Upload] = (),
    via_email: bool = False,
    now: dt.datetime | None = None,
) -> TicketMessage:
    """A public reply or (staff only) an internal note.

    A customer reply to a ticket waiting on them restarts the SLA clock; to a resolved or
    closed ticket it reopens it within the plan's reopen window. A staff public reply is the
    analyst's first response if none was sent yet (stopping the SLA clock). Internal notes are
    never e-mailed to customers. A reply to a merged duplicate goes to the case it was merged
    into.
    """
    now = now or timezone.now()
    # The case lives on in the one it was merged into (merging refuses chains); read from the
    # database, as the caller's copy may predate the merge.
    merged_into = Ticket.objects.filter(pk=ticket.pk).values_list("merged_into", flat=True)
    if merged_into and merged_into[0]:
        ticket = Ticket.objects.get(pk=merged_into[0])
    body = (body or "").strip()
    uploads = list(uploads)
    if not body and not uploads:
        raise TierError("Write a reply or attach a file.")
    staff = is_support_staff(author)
    if internal and not staff:
        raise PermissionDenied("Only support staff write internal notes.")
    if not staff and not can_act_as_customer(author, ticket):
        raise PermissionDenied("You cannot reply to this ticket.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("plan").get(pk=ticket.pk)
        if not staff and ticket.status in lifecycle.TERMINAL:
            _reopen(ticket, author, now)
        message = TicketMessage.objects.create(
            ticket=ticket,
            author=author,
            body=body or "(attachment)",
            is_internal=internal,
            from_staff=staff,
            via_email=via_email,
            created_at=now,
        )
        store_attachments(ticket, uploads, author, message=message, internal=internal)
        if internal:
            log_event(ticket, "internal_note", "Internal note added", actor=author)
        elif staff:
            _staff_replied(ticket, message, now)
        else:
            _customer_replied(ticket, message, now)
        ticket.save()
    return message


def _reopen(ticket: Ticket, author, now: dt.datetime) -> None:
    """A customer's reply to a resolved or closed case reopens it within the reopen window."""
    if not can_reopen(ticket, now):
        raise TierError(
            f"This case was closed more than {ticket.plan.reopen_window_days} days ago; "
            "please open a new ticket."
        )
    lifecycle.move(ticket, "reopen", lifecycle.reopen_target(ticket), by=author, now=now)


def _staff_replied(ticket: Ticket, message: TicketMessage, now: dt.datetime) -> None:
    """The first public staff reply is the analyst's first response: the SLA clock stops."""
    author = message.author
    log_event(ticket, "staff_reply", f"{author.public_name} replied", actor=author, public=True)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        if (
            ticket.response_due_at
            and ticket.sla_clock_started_at
            and now > ticket.response_due_at
            and ticket.breached_at is None
        ):
            # The sweep may lag (worker down): the breach is still recorded.
            ticket.breached_at = ticket.response_due_at
            log_event(ticket, "sla_breached", "First-response target missed")
        sla.stop_clock(ticket, now)
        log_event(ticket, "first_response", "Analyst's first response", actor=author)
    if lifecycle.allowed(ticket, "staff_reply", Ticket.IN_PROGRESS):
        lifecycle.move(ticket, "staff_reply", Ticket.IN_PROGRESS, by=author, now=now)
    notify.public_reply(ticket, message)


def _customer_replied(ticket: Ticket, message: TicketMessage, now: dt.datetime) -> None:
    """A customer's answer to a ticket waiting on them restarts the SLA clock."""
    author = message.author
    log_event(ticket, "customer_reply", f"{author.public_name} replied", actor=author, public=True)
    if lifecycle.allowed(ticket, "customer_reply", Ticket.IN_PROGRESS):
        lifecycle.move(ticket, "customer_reply", Ticket.IN_PROGRESS, by=author, now=now)
    notify.customer_reply(ticket, message)


# The customer hears of these staff status changes (templates/tiers/emails/status_changed.txt).
STATUSES_TOLD = (Ticket.WAITING, Ticket.RESOLVED, Ticket.CLOSED)


def set_status(*, ticket: Ticket, status: str, by, now=None) -> Ticket:
    """Staff move a ticket through its lifecycle; waiting on the customer pauses the clock."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff change a ticket's status.")
    if status not in dict(Ticket.STATUS_CHOICES):
        raise TierError("Unknown status.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("plan").get(pk=ticket.pk)
        if ticket.status == status:
            return ticket
        lifecycle.move(ticket, "staff", status, by=by, now=now)
        ticket.save()
        if status in STATUSES_TOLD:
            notify.status_changed(ticket)
        if status == Ticket.RESOLVED:
            satisfaction.send_survey(ticket, now)
    return ticket


def close_ticket(*, ticket: Ticket, by, now=None) -> Ticket:
    """The customer closes their own case."""
    if not can_act_as_customer(by, ticket) and not is_support_staff(by):
        raise PermissionDenied("You cannot close this ticket.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status == Ticket.CLOSED:
            raise TierError("This case is already closed.")
        lifecycle.move(ticket, "customer_close", Ticket.CLOSED, by=by, now=now)
        ticket.save()
    return ticket
