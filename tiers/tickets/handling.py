"""The analyst's and the customer's handling of an open ticket: severity, disputes,
escalation, assignment and time logged against the allowance.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.permissions import can_act_as_customer
from tiers.plans.models import Plan
from tiers.selectors import allowance_usage
from tiers.tickets import notify, resolution, sla
from tiers.tickets.models import Ticket, TimeEntry
from tiers.tickets.opening import check_severity
from tiers.tickets.quotes import fee_for_minutes, record_quote
from tiers.tickets.timeline import log_event


def set_severity(*, ticket: Ticket, severity: int, by, now=None) -> Ticket:
    """The analyst's determination. Changes the clock's calendar and the escalation path."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support analysts set the severity.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("plan").get(pk=ticket.pk)
        check_severity(ticket.plan, severity, "The severity")
        old = ticket.severity
        old_calendar = sla.calendar_for(ticket)
        ticket.severity = severity
        ticket.severity_confirmed = True
        ticket.__dict__.pop("severity_level", None)
        if old != severity:
            sla.recalculate(ticket, now, old_calendar)
            resolution.plan_target(ticket)
            if ticket.is_open:
                # Escalation only goes upward: a lowered severity tells no one twice.
                sla.schedule_escalations(ticket, now, renotify=severity < old)
        ticket.save()
        log_event(
            ticket,
            "severity",
            f"Severity set to {severity} (was {old})",
            actor=by,
            public=True,
            old=old,
            new=severity,
        )
        notify.severity_set(ticket)
    return ticket


def dispute_severity(*, ticket: Ticket, by, requested: int, reason: str, now=None) -> Ticket:
    """The customer disagrees with the severity: recorded, and the analyst is notified."""
    if not can_act_as_customer(by, ticket):
        raise PermissionDenied("You cannot dispute this ticket's severity.")
    reason = (reason or "").strip()
    if not reason:
        raise TierError("Tell the analyst why the severity should change.")
    check_severity(ticket.plan, requested, "The severity you ask for")
    if requested == ticket.severity:
        raise TierError("That is already the ticket's severity.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket.severity_disputed_at = now
        ticket.save(update_fields=["severity_disputed_at", "updated_at"])
        log_event(
            ticket,
            "severity_disputed",
            f"Customer asks for severity {requested} instead of {ticket.severity}",
            actor=by,
            public=True,
            requested=requested,
            reason=reason[:1000],
        )
        notify.severity_disputed(ticket, by, requested, reason)
    return ticket


def request_escalation(*, ticket: Ticket, by, reason: str, now=None) -> Ticket:
    """The customer asks for escalation: recorded and routed to the severity's escalation
    contacts (the immediate ones), or to the support desk when the severity has none."""
    if not can_act_as_customer(by, ticket):
        raise PermissionDenied("You cannot escalate this ticket.")
    reason = (reason or "").strip()
    if not reason:
        raise TierError("Tell us why this case needs escalating.")
    if not ticket.is_open:
        raise TierError("Only open cases can be escalated.")
    now = now or timezone.now()
    contacts = [
        rule.contact
        for rule in ticket.plan.escalation_rules.filter(
            severity=ticket.severity, contact__active=True, after_minutes=0
        ).select_related("contact")
    ]
    with transaction.atomic():
        ticket.escalation_requested_at = now
        ticket.save(update_fields=["escalation_requested_at", "updated_at"])
        routed = ", ".join(c.title for c in contacts) or "the support desk"
        log_event(
            ticket,
            "escalation_requested",
            f"Customer requested escalation (routed to {routed})",
            actor=by,
            public=True,
            reason=reason[:1000],
        )
        notify.escalation_requested(ticket, by, reason, contacts)
    return ticket


def assign(*, ticket: Ticket, analyst, by) -> Ticket:
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff assign tickets.")
    if analyst is not None and not is_support_staff(analyst):
        raise TierError("Tickets can only be assigned to support staff.")
    with transaction.atomic():
        ticket.assigned_to = analyst
        ticket.save(update_fields=["assigned_to", "updated_at"])
        log_event(
            ticket,
            "assigned",
            f"Assigned to {analyst.public_name}" if analyst else "Unassigned",
            actor=by,
        )
        if analyst is not None:
            notify.assigned(ticket)
    return ticket


def log_time(*, ticket: Ticket, analyst, minutes: int, category: str, note: str = "") -> TimeEntry:
    """Analyst time; past the monthly allowance the plan's rule applies (warn, or quote)."""
    if not is_support_staff(analyst):
        raise PermissionDenied("Only support staff log time.")
    if not minutes or minutes <= 0:
        raise TierError("Log a positive number of minutes.")
    if category not in dict(Ticket.CATEGORY_CHOICES):
        raise TierError("Choose a category.")
    with transaction.atomic():
        entry = TimeEntry.objects.create(
            ticket=ticket, analyst=analyst, minutes=minutes, category=category, note=note[:200]
        )
        log_event(ticket, "time_logged", f"{minutes} min of {category} logged", actor=analyst)
        usage = allowance_usage(ticket.organisation, ticket.plan)
        line = {
            "troubleshooting": usage.troubleshooting_hours,
            "provisioning": usage.provisioning_hours,
        }.get(category)
        if line is not None and line.exceeded:
            plan = ticket.plan
            if plan.overage_rule == Plan.OVERAGE_QUOTE and plan.overage_hourly_rate:
                over_minutes = min(minutes, line.over_minutes)
                record_quote(
                    ticket=ticket,
                    by=analyst,
                    reason=f"Work beyond the monthly {category} allowance",
                    amount=fee_for_minutes(over_minutes, plan.overage_hourly_rate),
                    description=(
                        f"{over_minutes} min beyond the allowance at "
                        f"{plan.overage_hourly_rate} per hour."
                    ),
                )
            elif not ticket.over_allowance:
                ticket.over_allowance = True
                ticket.save(update_fields=["over_allowance", "updated_at"])
                log_event(
                    ticket,
                    "allowance_exceeded",
                    f"Monthly {category} allowance exceeded",
                    public=True,
                )
    return entry
