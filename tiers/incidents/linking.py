"""Cases attached to an incident: a customer attaches their ticket instead of describing the
problem again; the case then stops counting against the monthly allowance and hears every
update of the incident (a timeline entry on the case and an e-mail to its requester), and
the community threads those cases came from get each update of a public incident as a
public staff note.

Which incidents a customer may attach to is `linkable_incidents` (open public incidents,
and the open ones the customer's organisations were told about privately).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from forum import services as forum_services
from forum.models import Thread
from resourcecenter.roles import is_support_staff
from tiers import permissions
from tiers.errors import TierError
from tiers.incidents import notify
from tiers.incidents.models import ProblemUpdate, ServiceProblem
from tiers.mail import absolute
from tiers.tickets.models import Ticket
from tiers.tickets.timeline import log_event


def linkable_incidents(user) -> QuerySet[ServiceProblem]:
    """Open incidents `user` may attach a case to: every one for staff; public ones and those
    the user's organisations were told about for customers."""
    open_ = ServiceProblem.objects.exclude(status=ServiceProblem.RESOLVED)
    if is_support_staff(user):
        return open_
    visible = permissions.visible_problems(user).values("pk")
    return open_.filter(Q(is_public=True) | Q(pk__in=visible)).order_by("severity", "-started_at")


def link_ticket(*, ticket: Ticket, incident: ServiceProblem, by, now=None) -> Ticket:
    """Attach `ticket` to `incident` (idempotent). The customer's own case or any case for
    staff; only open cases and open incidents the person may see."""
    now = now or timezone.now()
    if not (is_support_staff(by) or permissions.can_act_as_customer(by, ticket)):
        raise PermissionDenied("You cannot change this case.")
    if not linkable_incidents(by).filter(pk=incident.pk).exists():
        raise TierError("That incident is not open (or not one you can follow).")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.incident_id == incident.pk:
            return ticket
        if not ticket.is_open:
            raise TierError("Only open cases can be attached to an incident.")
        ticket.incident = incident
        ticket.incident_linked_at = now
        fields = ["incident", "incident_linked_at", "updated_at"]
        if ticket.over_allowance:
            ticket.over_allowance = False  # an incident's cases are not the customer's to pay
            fields.append("over_allowance")
        ticket.save(update_fields=fields)
        log_event(
            ticket,
            "incident_linked",
            f"Attached to the incident “{incident.title}”: every update reaches this case, "
            "and it does not count against the monthly allowance",
            actor=by,
            public=True,
            incident=incident.pk,
        )
    return ticket


def relay_update(update: ProblemUpdate) -> int:
    """Bring `update` to the incident's cases and their threads (inside the update's
    transaction: the e-mails and forum notes commit with it). Returns the cases reached."""
    problem = update.problem
    tickets = list(
        Ticket.objects.filter(incident=problem)
        .exclude(status=Ticket.CLOSED)
        .select_related("requester")
        .order_by("pk")
    )
    summary = f"Incident {update.get_kind_display().lower()}: {update.get_status_display()}"
    for ticket in tickets:
        log_event(
            ticket,
            "incident_update",
            f"{summary} - {update.body.strip()}",
            actor=update.created_by,
            public=True,
            incident=problem.pk,
            update=update.pk,
        )
        if ticket.requester.is_active and ticket.requester.email:
            notify.linked_ticket_update(ticket, update, to=ticket.requester.email)
    if problem.is_public and update.created_by is not None:
        thread_ids = {ticket.thread_id for ticket in tickets if ticket.thread_id}
        for thread in Thread.objects.filter(pk__in=thread_ids).order_by("pk"):
            _note_in_thread(thread, update)
    return len(tickets)


def _note_in_thread(thread: Thread, update: ProblemUpdate) -> None:
    """A public staff note: only the incident's public text (the status page shows it too)."""
    problem = update.problem
    body = (
        f"**Service incident - {update.get_status_display()}**: {problem.title}\n\n"
        f"{update.body.strip()}\n\n"
        f"Follow it on the status page: {absolute(problem.get_status_url())}"
    )
    try:
        with transaction.atomic():
            forum_services.create_reply(author=update.created_by, thread=thread, body=body)
    except (PermissionDenied, ValidationError):
        # A locked or removed thread takes no notes; the cases still heard the update.
        return
