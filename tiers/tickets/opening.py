"""Opening a ticket: case numbers, initial severity and the checks a plan makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from resourcecenter.sequences import next_in_counter
from tiers.errors import TierError
from tiers.plans.models import Membership, Organisation, Plan
from tiers.selectors import AllowanceUsage, allowance_usage, plan_for
from tiers.tickets import notify, resolution, sla
from tiers.tickets.attachments import Upload, store_attachments
from tiers.tickets.models import CaseCounter, Ticket
from tiers.tickets.quotes import quote_case_beyond_limit
from tiers.tickets.timeline import log_event


def next_case_number(prefix: str, now: dt.datetime) -> str:
    """The next number for (prefix, year): unique and gapless.

    The counter row is locked by the increment (resourcecenter.sequences; on SQLite the
    IMMEDIATE transaction holds the write lock) until the creating transaction ends, so
    concurrent creators queue up and a rolled-back ticket gives its number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_case_number must run inside the creating transaction")
    year = now.year
    number = next_in_counter(CaseCounter, "last_number", prefix=prefix, year=year)
    return f"{prefix}-{year}-{number:06d}"


def classify_severity(plan: Plan, devices_affected: int | None, estimate: int | None) -> int:
    """The initial severity: the plan's fixed one, else by devices affected when the scheme
    classifies that way, else the customer's estimate (the analyst confirms it)."""
    if plan.fixed_severity:
        return plan.fixed_severity
    levels = list(plan.severity_scheme.levels.all()) if plan.severity_scheme_id else []
    numbers = sorted(level.number for level in levels)
    if not numbers:
        return estimate or 3
    by_devices = [level for level in levels if level.min_devices_affected is not None]
    if by_devices and devices_affected is not None:
        for level in sorted(by_devices, key=lambda item: item.number):
            if devices_affected >= level.min_devices_affected:
                return level.number
    if estimate in numbers:
        return estimate
    return numbers[-1]


def check_severity(plan: Plan, value: int | None, label: str) -> None:
    if value is None:
        return
    numbers = (
        set(plan.severity_scheme.levels.values_list("number", flat=True))
        if plan.severity_scheme_id
        else set()
    )
    if value not in numbers:
        raise TierError(f"{label} must be one of {', '.join(map(str, sorted(numbers)))}.")


def _channel_allowed(plan: Plan, channel: str) -> bool:
    return {
        "web": plan.channel_web,
        "thread": plan.channel_web,
        "email": plan.channel_email,
        "phone": plan.channel_phone,
    }.get(channel, False)


def open_ticket(
    *,
    organisation: Organisation,
    requester,
    subject: str,
    description: str,
    devices_affected: int | None = None,
    incident_at: dt.datetime | None = None,
    conditions: str = "",
    customer_severity: int | None = None,
    category: str = "troubleshooting",
    channel: str = "web",
    tags: str = "",
    thread=None,
    uploads: Iterable[Upload] = (),
    opened_by=None,
    now: dt.datetime | None = None,
    incident=None,
) -> Ticket:
    """Open a service request with its case number, SLA clock, timers and acknowledgement.

    Guarantees: the requester is a member of an organisation whose plan opens tickets on this
    channel; the case number is unique and gapless per (prefix, year); the automated
    acknowledgement (case number, due time) is queued in the same transaction, time recorded.

    `opened_by` is the analyst taking the request on the requester's behalf (phone or e-mail
    intake): it must be support staff, and the ticket, the timeline and the acknowledgement
    record who opened it and over which channel. Everything else (plan, channel, severity,
    allowance rules) is exactly what the requester would get opening it themselves. The phone
    channel takes only the severities the plan's phone line covers.

    `incident` (checked by the caller: tiers.incidents.linking.linkable_incidents) attaches the
    case to an open incident from the start: it hears its updates, off the allowance.
    """
    now = now or timezone.now()
    ticket = Ticket(
        organisation=organisation,
        requester=requester,
        opened_by=_intake_analyst(opened_by, requester),
        channel=channel,
        category=category,
        subject=" ".join((subject or "").split())[:200],
        description=(description or "").strip(),
        devices_affected=devices_affected,
        incident_at=incident_at,
        conditions=(conditions or "").strip(),
        tags=tags[:300],
        customer_severity=customer_severity,
        status=Ticket.ACKNOWLEDGED,  # the initial state: acknowledged on creation
        thread=thread,
        incident=incident,
    )
    beyond_case_limit = _admit(ticket, now)
    with transaction.atomic():
        ticket.case_number = next_case_number(ticket.plan.case_prefix, now)
        ticket.save()
        _start(ticket, uploads, now)
        if beyond_case_limit:
            quote_case_beyond_limit(ticket)
    return ticket


def _admit(ticket: Ticket, now: dt.datetime) -> bool:
    """Check the request, the requester's membership and the plan's rules, in that order, and
    fill in what the plan decides (severity, allowance, region, times). True when the case is
    beyond the plan's case limit: it is quoted once it exists."""
    _check_request(
        ticket.subject,
        ticket.description,
        ticket.devices_affected,
        ticket.incident_at,
        ticket.category,
        now,
    )
    organisation, channel = ticket.organisation, ticket.channel
    _check_membership(organisation, ticket.requester, ticket.opened_by)
    plan = _ticket_plan(organisation, ticket.opened_by)
    _check_channel(plan, channel)
    check_severity(plan, ticket.customer_severity, "The severity estimate")
    severity = classify_severity(plan, ticket.devices_affected, ticket.customer_severity)
    _check_phone_line(plan, channel, severity)
    usage = allowance_usage(organisation, plan, now)
    # A case attached to an incident never counts against the allowance.
    counted = ticket.incident_id is None
    ticket.plan = plan
    ticket.severity = severity
    ticket.severity_confirmed = bool(plan.fixed_severity)
    ticket.region = organisation.region
    ticket.created_at = ticket.acknowledged_at = now
    ticket.over_allowance = counted and _over_allowance(usage, ticket.category)
    ticket.incident_linked_at = None if counted else now
    return counted and ticket.category == "troubleshooting" and usage.troubleshooting_cases.reached


def _intake_analyst(opened_by, requester):
    """The analyst opening the ticket for someone else (None when requesters open their own)."""
    if opened_by is not None and opened_by.pk == getattr(requester, "pk", None):
        return None
    if opened_by is not None and not is_support_staff(opened_by):
        raise PermissionDenied("Only support staff open tickets on a customer's behalf.")
    return opened_by


def _check_request(subject, description, devices_affected, incident_at, category, now) -> None:
    if not subject:
        raise TierError("Give the ticket a subject.")
    if not description:
        raise TierError("Describe the problem.")
    if devices_affected is not None and devices_affected < 0:
        raise TierError("The number of devices affected cannot be negative.")
    if incident_at and incident_at > now + dt.timedelta(minutes=5):
        raise TierError("The time of the incident cannot be in the future.")
    if category not in dict(Ticket.CATEGORY_CHOICES):
        raise TierError("Choose what kind of help you need.")


def _check_membership(organisation: Organisation, requester, opened_by) -> None:
    if not Membership.objects.filter(organisation=organisation, user=requester).exists():
        if opened_by is not None:
            raise TierError(f"{requester} is not a member of {organisation}.")
        raise PermissionDenied("You are not a member of this organisation.")


def _ticket_plan(organisation: Organisation, opened_by) -> Plan:
    """The organisation's plan, which must include tickets."""
    plan = plan_for(organisation)
    if plan is not None and plan.may_open_tickets:
        return plan
    name = plan.name if plan else "no plan"
    if opened_by is not None:
        raise TierError(
            f"{organisation} is on {name}, which does not include tickets: no case can be "
            "opened for it. Point the customer to the community forum, or to the plans page "
            "to upgrade."
        )
    raise TierError(
        f"{organisation} is on {name}, which does not include tickets. "
        "Upgrade to open private tickets."
    )


def _check_channel(plan: Plan, channel: str) -> None:
    if not _channel_allowed(plan, channel):
        label = dict(Ticket.CHANNEL_CHOICES).get(channel, channel)
        raise TierError(f"The {plan.name} plan does not take tickets by {label.lower()}.")


def _check_phone_line(plan: Plan, channel: str, severity: int) -> None:
    covers = plan.phone_severity_numbers
    if channel == "phone" and covers and severity not in covers:
        covered = " and ".join(map(str, covers))
        raise TierError(
            f"The {plan.name} phone line covers severity {covered} only; this request is "
            f"severity {severity}. Take it by e-mail or the web form instead."
        )


def _over_allowance(usage: AllowanceUsage, category: str) -> bool:
    return (category == "troubleshooting" and usage.troubleshooting_exhausted) or (
        category == "provisioning" and usage.provisioning_exhausted
    )


def _start(ticket: Ticket, uploads: Iterable[Upload], now: dt.datetime) -> None:
    """Record the opening, start the SLA clock and timers, store files, send the e-mails."""
    requester, opened_by = ticket.requester, ticket.opened_by
    if opened_by is not None:
        summary = (
            f"Opened by {opened_by.public_name} (support) for {requester.public_name} "
            f"via {ticket.get_channel_display()}"
        )
    else:
        summary = f"Opened by {requester.public_name} via {ticket.get_channel_display()}"
    log_event(
        ticket,
        "created",
        summary,
        actor=opened_by or requester,
        public=True,
        severity=ticket.severity,
        customer_severity=ticket.customer_severity,
        channel=ticket.channel,
        opened_by=opened_by.pk if opened_by else None,
        requester=requester.pk,
    )
    if ticket.incident_id:
        log_event(
            ticket,
            "incident_linked",
            f"Attached to the incident “{ticket.incident.title}”: every update reaches this "
            "case, and it does not count against the monthly allowance",
            actor=requester,
            public=True,
            incident=ticket.incident_id,
        )
    sla.start_clock(ticket, now)
    resolution.plan_target(ticket)
    ticket.save()
    sla.schedule_escalations(ticket, now)
    store_attachments(ticket, uploads, opened_by or requester)
    log_event(
        ticket,
        "acknowledged",
        f"Automated acknowledgement queued with case number {ticket.case_number}",
        public=True,
    )
    if ticket.over_allowance:
        log_event(
            ticket,
            "allowance_exceeded",
            f"This month's {ticket.get_category_display().lower()} allowance is used up: "
            + (
                "extra work is quoted as paid professional services first"
                if ticket.plan.overage_rule == ticket.plan.OVERAGE_QUOTE
                else "we keep helping"
            ),
            public=True,
        )
    notify.acknowledgement(ticket)
    notify.staff_new_ticket(ticket)
