"""Who hears about a ticket, and what they read.

Customer e-mails only ever contain public content (never internal notes, never staff-only
events); staff e-mails go to the assigned analyst, or the support desk address when nobody is
assigned. Subjects carry the case number in brackets so replies thread back (tiers.tickets.inbound).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import reverse
from django.utils import timezone

from django_tasks import task

from resourcecenter.emails import queue_email, send_email_task
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


def _send_customer(ticket, subject: str, text: str, *, acknowledgement: bool = False) -> None:
    """One e-mail per recipient, each with their own signed reply address (so a reply proves
    who sent it; tiers.tickets.mailauth). The acknowledgement goes through its own task,
    which records when it really left."""
    footer = (
        f"\n\nCase {ticket.case_number}: {absolute(ticket.get_absolute_url())}\n"
        "Reply to this e-mail to add to the case."
    )
    for user in customer_recipient_users(ticket):
        message = {
            "to": [user.email],
            "subject": " ".join(subject_for(ticket, subject).splitlines()).strip(),
            "text": text + footer,
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


def _send_staff(ticket, subject: str, text: str, extra: list[str] | None = None) -> None:
    """The assigned analyst gets their own copy whose signed reply address lets them answer
    the customer by e-mail; the desk and escalation contacts share one without."""
    link = absolute(ticket.get_absolute_url())
    others = sorted({a for a in (extra or []) if a})
    analyst = ticket.assigned_to if ticket.assigned_to_id and ticket.assigned_to.email else None
    if analyst is not None:
        queue_email(
            [analyst.email],
            subject_for(ticket, subject),
            f"{text}\n\n{link}\n\nReplying to this e-mail posts a public reply to the customer.",
            reply_to=[mailauth.reply_address(ticket, analyst)],
        )
        others = [a for a in others if a != analyst.email]
    else:
        others = sorted({support_address(), *others})
    if others:
        queue_email(others, subject_for(ticket, subject), f"{text}\n\n{link}")


def acknowledgement(ticket) -> None:
    level = ticket.severity_level
    lines = [
        f"We have received your request and opened case {ticket.case_number}.",
        "",
        f"Subject: {ticket.subject}",
        f"Severity (initial): {level or ticket.severity}",
        f"Analyst response due by: {format_due(ticket, _zone_for(ticket))}",
        "",
        "A support analyst will confirm the severity and describe the actions underway.",
    ]
    if ticket.opened_by_id:
        how = {"phone": "your phone call", "email": "your e-mail"}.get(
            ticket.channel, f"your request ({ticket.get_channel_display().lower()})"
        )
        lines[1:1] = [
            "",
            f"{ticket.opened_by.public_name} of our support team opened it for you after {how}.",
        ]
    if ticket.over_allowance:
        lines += ["", allowance_note(ticket)]
    _send_customer(ticket, f"Received: {ticket.subject}", "\n".join(lines), acknowledgement=True)


def allowance_note(ticket) -> str:
    plan = ticket.plan
    if plan.overage_rule == plan.OVERAGE_QUOTE:
        return (
            "Your organisation has used this month's allowance; work beyond it is quoted as "
            "paid professional services before it starts."
        )
    return "Note: your organisation has used this month's support allowance for this category."


def staff_new_ticket(ticket) -> None:
    _send_staff(
        ticket,
        f"New ticket (severity {ticket.severity}): {ticket.subject}",
        f"{ticket.organisation} opened {ticket.case_number} via {ticket.get_channel_display()}.\n"
        f"Response due: {format_due(ticket)}",
    )


def public_reply(ticket, message) -> None:
    author = message.author.public_name if message.author else "Support"
    _send_customer(ticket, f"Update: {ticket.subject}", f"{author} replied:\n\n{message.body}")


def customer_reply(ticket, message) -> None:
    _send_staff(
        ticket,
        f"Customer reply: {ticket.subject}",
        f"{message.author} replied:\n\n{message.body}",
    )


def status_changed(ticket, text: str) -> None:
    _send_customer(ticket, f"{ticket.get_status_display()}: {ticket.subject}", text)


def severity_set(ticket) -> None:
    level = ticket.severity_level
    definition = f"\n\n{level.definition}" if level else ""
    _send_customer(
        ticket,
        f"Severity {ticket.severity}: {ticket.subject}",
        f"Your analyst set the severity of this case to {level or ticket.severity}.{definition}\n\n"
        "If you disagree, you can ask your analyst to review it from the case page.",
    )


def estimated_resolution(ticket) -> None:
    when = format_moment(ticket.estimated_resolution_at, _zone_for(ticket))
    _send_customer(
        ticket,
        f"Estimated resolution: {ticket.subject}",
        f"Your analyst expects to resolve this case by {when}.\n\n"
        "We will tell you if that changes.",
    )


def severity_disputed(ticket, by, requested: int, reason: str) -> None:
    _send_staff(
        ticket,
        f"Severity disputed: {ticket.subject}",
        f"{by} asks for severity {requested} instead of {ticket.severity}.\n\nReason: {reason}",
    )


def escalation_requested(ticket, by, reason: str, contacts) -> None:
    _send_staff(
        ticket,
        f"Escalation requested: {ticket.subject}",
        f"{by} asked for this case to be escalated.\n\nReason: {reason}",
        extra=[contact.email for contact in contacts],
    )


def escalation_contact(ticket, contact, reason: str) -> None:
    queue_email(
        [contact.email],
        subject_for(ticket, f"Escalation (severity {ticket.severity}): {ticket.subject}"),
        f"{contact.title}: {reason}\n\nOrganisation: {ticket.organisation}\n"
        f"Status: {ticket.get_status_display()}\nOpened: {_local(ticket.created_at, ticket)}\n\n"
        f"{absolute(ticket.get_absolute_url())}",
    )


def sla_warning(ticket, percent: int) -> None:
    _send_staff(
        ticket,
        f"SLA {percent}% used: {ticket.subject}",
        f"{percent}% of the response target of {ticket.case_number} has passed.\n"
        f"First response due by {format_due(ticket)}.",
    )


def sla_breach(ticket) -> None:
    _send_staff(
        ticket,
        f"SLA BREACHED: {ticket.subject}",
        f"The first-response target of {ticket.case_number} was missed.",
    )


def assigned(ticket) -> None:
    if ticket.assigned_to and ticket.assigned_to.email:
        queue_email(
            [ticket.assigned_to.email],
            subject_for(ticket, f"Assigned to you: {ticket.subject}"),
            f"Response due: {format_due(ticket)}\n\n{absolute(ticket.get_absolute_url())}",
            reply_to=[mailauth.reply_address(ticket, ticket.assigned_to)],
        )


def quote_offered(ticket, quote) -> None:
    _send_customer(
        ticket,
        f"Quote for professional services: {ticket.subject}",
        f"{quote.reason}\n\n{quote.description}\n\nFee: {quote.amount} {quote.currency}.\n"
        "Please accept or decline the quote on the case page; no work is charged without it.",
    )


def quote_decided(ticket, quote) -> None:
    _send_staff(
        ticket,
        f"Quote {quote.get_status_display().lower()}: {ticket.subject}",
        f"{quote.decided_by} {quote.status} the quote of {quote.amount} {quote.currency}.",
    )


def upgrade_offer(thread, author, by) -> None:
    upgrade = upgrade_plan()
    adds = f"{upgrade.name} support adds" if upgrade else "Our support plans add"
    queue_email(
        [author.email],
        "Private support for your question",
        f'Our support team would like to take your question "{thread.title}" further '
        f"in a private ticket. Your organisation is on {default_plan_name()} support, which "
        f"covers the Resource Center and the forum; {adds} private tickets with case numbers, "
        "response targets and escalation.\n\n"
        f"Compare the plans: {absolute(reverse('tiers:plans'))}",
    )


def bounce_unknown_sender(address: str, subject: str) -> None:
    queue_email(
        [address],
        f"Re: {subject}"[:200],
        "Thank you for your message. We could not match this address to an organisation with "
        "ticket support, so no case was opened.\n\n"
        "If you should have access, ask your organisation's admin to invite this address, or "
        f"sign in and open a ticket at {absolute(reverse('tiers:ticket_new'))}. "
        f"The community forum is open to everyone: {absolute(reverse('forum:index'))}",
    )


def inbound_failed(address: str, subject: str) -> None:
    """The sender of an e-mail we stored but could not process (it waits for an analyst)."""
    queue_email(
        [address],
        f"Re: {subject}"[:200],
        "Thank you for your message. We received it but could not process it automatically, "
        "so no case was opened or updated yet. It is kept for our support team, who will "
        "look at it.\n\n"
        f"If it is urgent, sign in and open a ticket at {absolute(reverse('tiers:ticket_new'))}.",
    )
