"""Who hears about a ticket, and what they read.

Customer e-mails only ever contain public content (never internal notes, never staff-only
events); staff e-mails go to the assigned analyst, or the support desk address when nobody is
assigned. Subjects carry the case number in brackets so replies thread back (tiers.tickets.inbound).
Each e-mail's words are the templates `tiers/emails/<name>_subject.txt` and `<name>.txt`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import reverse
from django.utils import timezone

from django_tasks import task

from resourcecenter.emails import queue_email, render_subject, render_text, send_email_task
from resourcecenter.taskqueue import enqueue_with_change
from tiers.mail import absolute, format_moment, support_address
from tiers.plans.models import Membership
from tiers.plans.selectors import region_zone
from tiers.selectors import default_plan_name, upgrade_plan
from tiers.tickets import mailauth


def subject_for(ticket, text: str) -> str:
    return f"[{ticket.case_number}] {text}"


def customer_recipient_users(ticket) -> list:
    """The requester, the organisation's point of contact (who distributes updates) and the
    members copied on the case."""

    users = [ticket.requester]
    contact = (
        Membership.objects.filter(organisation_id=ticket.organisation_id, is_point_of_contact=True)
        .select_related("user")
        .first()
    )
    if contact and contact.user.email not in {user.email for user in users}:
        users.append(contact.user)
    # People copied on the case, while they are still members of its organisation.
    for cc in ticket.ccs.filter(
        user__memberships__organisation_id=ticket.organisation_id
    ).select_related("user"):
        if cc.user.email and cc.user.email not in {user.email for user in users}:
            users.append(cc.user)
    return users


def customer_recipients(ticket) -> list[str]:
    return [user.email for user in customer_recipient_users(ticket)]


def staff_recipients(ticket) -> list[str]:
    if ticket.assigned_to_id and ticket.assigned_to.email:
        return [ticket.assigned_to.email]
    return [support_address()]


def region_zone_for(ticket) -> str:
    """The time zone of the ticket's region: how staff and customers read its due times."""
    return region_zone(ticket.region)


def _zone_for(ticket) -> str:
    """The requester's chosen time zone for this organisation (else the region's)."""

    zone = (
        Membership.objects.filter(
            organisation_id=ticket.organisation_id, user_id=ticket.requester_id
        )
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or region_zone_for(ticket)


def format_due(ticket, zone: str | None = None) -> str:
    """The response due time in `zone` (default: the ticket region's time zone)."""
    zone = zone or region_zone_for(ticket)
    if not ticket.response_due_at:
        return "paused while we wait for your reply" if ticket.paused_at else "not applicable"
    try:
        tzinfo = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tzinfo, zone = ZoneInfo("UTC"), "UTC"
    due = ticket.response_due_at.astimezone(tzinfo)
    return f"{due:%a %d %b %Y %H:%M} {due.tzname() if zone != 'UTC' else 'UTC'}"


def _local(moment, ticket) -> str:
    zone = ZoneInfo(region_zone_for(ticket))
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _words(name: str, **context) -> tuple[str, str]:
    """(subject, text) of the e-mail `tiers/emails/<name>`."""
    base = f"tiers/emails/{name}"
    return render_subject(base, context), render_text(base, context)


def _case_url(ticket) -> str:
    return absolute(ticket.get_absolute_url())


def _send_customer(ticket, name: str, *, acknowledgement: bool = False, **context) -> None:
    """One e-mail per recipient, each with their own signed reply address (so a reply proves
    who sent it; tiers.tickets.mailauth). The acknowledgement goes through its own task,
    which records when it really left."""
    context = {"ticket": ticket, "case_url": _case_url(ticket), **context}
    subject, text = _words(name, **context)
    text += render_text("tiers/emails/_customer_footer", context)
    for user in customer_recipient_users(ticket):
        message = {
            "to": [user.email],
            "subject": " ".join(subject_for(ticket, subject).splitlines()).strip(),
            "text": text,
            "reply_to": [mailauth.reply_address(ticket, user)],
        }
        if acknowledgement:
            enqueue_with_change(send_acknowledgement_task, ticket_id=ticket.pk, **message)
        else:
            queue_email(**message)


@task()
def send_acknowledgement_task(
    ticket_id: int, to: list[str], subject: str, text: str, reply_to: list[str]
) -> None:
    """Send the acknowledgement, then record when it really left (the 5-minute target is
    measured on this time, not on when it was queued)."""
    from tiers.tickets.models import Ticket

    send_email_task.call(to=to, subject=subject, text=text, reply_to=reply_to)
    Ticket.objects.filter(pk=ticket_id, acknowledgement_sent_at__isnull=True).update(
        acknowledgement_sent_at=timezone.now()
    )


def _send_staff(ticket, name: str, extra: list[str] | None = None, **context) -> None:
    """The assigned analyst gets their own copy whose signed reply address lets them answer
    the customer by e-mail; the desk and escalation contacts share one without."""
    context = {"ticket": ticket, "case_url": _case_url(ticket), **context}
    subject, text = _words(name, **context)
    subject = subject_for(ticket, subject)
    others = sorted({a for a in (extra or []) if a})
    analyst = ticket.assigned_to if ticket.assigned_to_id and ticket.assigned_to.email else None
    if analyst is not None:
        footer = render_text("tiers/emails/_staff_footer", {**context, "analyst": analyst})
        queue_email(
            [analyst.email],
            subject,
            text + footer,
            reply_to=[mailauth.reply_address(ticket, analyst)],
        )
        others = [a for a in others if a != analyst.email]
    else:
        others = sorted({support_address(), *others})
    if others:
        queue_email(others, subject, text + render_text("tiers/emails/_staff_footer", context))


def acknowledgement(ticket) -> None:
    _send_customer(
        ticket, "acknowledgement", acknowledgement=True, due=format_due(ticket, _zone_for(ticket))
    )


def allowance_note(ticket) -> str:
    return render_text("tiers/emails/_allowance_note", {"ticket": ticket})


def staff_new_ticket(ticket) -> None:
    _send_staff(ticket, "staff_new_ticket", due=format_due(ticket))


def public_reply(ticket, message) -> None:
    _send_customer(ticket, "public_reply", message=message)


def customer_reply(ticket, message) -> None:
    _send_staff(ticket, "customer_reply", message=message)


def status_changed(ticket) -> None:
    _send_customer(ticket, "status_changed")


def severity_set(ticket) -> None:
    _send_customer(ticket, "severity_set")


def estimated_resolution(ticket) -> None:
    when = format_moment(ticket.estimated_resolution_at, _zone_for(ticket))
    _send_customer(ticket, "estimated_resolution", when=when)


def severity_disputed(ticket, by, requested: int, reason: str) -> None:
    _send_staff(ticket, "severity_disputed", by=by, requested=requested, reason=reason)


def escalation_requested(ticket, by, reason: str, contacts) -> None:
    extra = [contact.email for contact in contacts]
    _send_staff(ticket, "escalation_requested", extra=extra, by=by, reason=reason)


def escalation_contact(ticket, contact, reason: str) -> None:
    subject, text = _words(
        "escalation_contact",
        ticket=ticket,
        contact=contact,
        reason=reason,
        opened=_local(ticket.created_at, ticket),
        case_url=_case_url(ticket),
    )
    queue_email([contact.email], subject_for(ticket, subject), text)


def sla_warning(ticket, percent: int) -> None:
    _send_staff(ticket, "sla_warning", percent=percent, due=format_due(ticket))


def sla_breach(ticket) -> None:
    _send_staff(ticket, "sla_breach")


def assigned(ticket) -> None:
    if ticket.assigned_to and ticket.assigned_to.email:
        subject, text = _words(
            "assigned", ticket=ticket, due=format_due(ticket), case_url=_case_url(ticket)
        )
        queue_email(
            [ticket.assigned_to.email],
            subject_for(ticket, subject),
            text,
            reply_to=[mailauth.reply_address(ticket, ticket.assigned_to)],
        )


def quote_offered(ticket, quote) -> None:
    _send_customer(ticket, "quote_offered", quote=quote)


def quote_decided(ticket, quote) -> None:
    _send_staff(ticket, "quote_decided", quote=quote)


def upgrade_offer(thread, author, by) -> None:
    subject, text = _words(
        "upgrade_offer",
        thread=thread,
        upgrade=upgrade_plan(),
        default_plan_name=default_plan_name(),
        plans_url=absolute(reverse("tiers:plans")),
    )
    queue_email([author.email], subject, text)


def bounce_unknown_sender(address: str, subject: str) -> None:
    subject, text = _words(
        "bounce_unknown_sender",
        subject=subject,
        ticket_new_url=absolute(reverse("tiers:ticket_new")),
        forum_url=absolute(reverse("forum:index")),
    )
    queue_email([address], subject[:200], text)


def inbound_failed(address: str, subject: str) -> None:
    """The sender of an e-mail we stored but could not process (it waits for an analyst)."""
    subject, text = _words(
        "inbound_failed", subject=subject, ticket_new_url=absolute(reverse("tiers:ticket_new"))
    )
    queue_email([address], subject[:200], text)
