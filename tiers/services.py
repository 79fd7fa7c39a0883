"""Writes of the tiers app: one transactional function per use case.

Each function checks its own preconditions (raising `TierError` with a message fit to show the
user) and records what happened: ticket changes always leave a `TicketEvent`, e-mails are queued
to go out only when the transaction commits (resourcecenter.emails.queue_email).
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from django_tasks import task

from resourcecenter.roles import ANALYSTS_GROUP, is_support_staff
from tiers import notify, problems, sla
from tiers.models import (
    CaseCounter,
    ExclusionReason,
    Invitation,
    Membership,
    Organisation,
    Plan,
    ProblemUpdate,
    Quote,
    ServiceProblem,
    Subscription,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TimeEntry,
)
from tiers.permissions import can_act_as_customer, membership_in
from tiers.plans import billing
from tiers.selectors import allowance_usage, plan_for

INVITATION_SALT = "tiers.invitation"
INVITATION_DAYS = 7
ATTACHMENT_EXTENSIONS = {
    ".log": "text/plain",
    ".txt": "text/plain",
    ".json": "application/json",
    ".csv": "text/csv",
    ".pcap": "application/vnd.tcpdump.pcap",
    ".pcapng": "application/vnd.tcpdump.pcap",
    ".zip": "application/zip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
MAX_ATTACHMENTS_PER_MESSAGE = 5


class TierError(Exception):
    """A request the rules do not allow; the message is shown to the user."""


def _max_attachment_bytes() -> int:
    return getattr(settings, "TIERS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def _forget_user_caches(user) -> None:
    for name in ("_tiers_memberships", "_tiers_audiences", "_tiers_problem_orgs"):
        if hasattr(user, name):
            delattr(user, name)


# --- Organisations -----------------------------------------------------------------------------


def create_organisation(*, name: str, region: str, creator) -> Organisation:
    """A new customer account on the default plan; the creator is its admin and point of contact."""
    name = " ".join((name or "").split())
    if not name:
        raise TierError("Give the organisation a name.")
    if region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose the region whose business hours apply (US or Europe).")
    base = slugify(name)[:60] or "org"
    with transaction.atomic():
        slug, n = base, 1
        while Organisation.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        organisation = Organisation.objects.create(name=name, slug=slug, region=region)
        Membership.objects.create(
            organisation=organisation,
            user=creator,
            role=Membership.ROLE_ADMIN,
            is_point_of_contact=True,
        )
    _forget_user_caches(creator)
    return organisation


def _require_admin(user, organisation: Organisation) -> None:
    membership = membership_in(user, organisation)
    if not (membership and membership.is_admin) and not is_support_staff(user):
        raise PermissionDenied("Only an organisation admin can do that.")


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"id": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def invite_member(*, organisation: Organisation, email: str, role: str, by) -> Invitation:
    """E-mail a signed, expiring invitation link to join `organisation`."""
    _require_admin(by, organisation)
    email = (email or "").strip().lower()
    if "@" not in email:
        raise TierError("Enter the e-mail address to invite.")
    if role not in (Membership.ROLE_ADMIN, Membership.ROLE_MEMBER):
        raise TierError("Choose a role.")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise TierError(f"{email} is already a member.")
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation, email=email, accepted_at__isnull=True, revoked_at=None
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        )
        url = notify.absolute(reverse("tiers:invitation", args=[invitation_token(invitation)]))
        notify.invitation(invitation, url)
    return invitation


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=dt.timedelta(days=INVITATION_DAYS + 1)
        )
    except signing.SignatureExpired:
        raise TierError("This invitation has expired; ask for a new one.") from None
    except signing.BadSignature:
        raise TierError("This invitation link is not valid.") from None
    invitation = (
        Invitation.objects.filter(pk=data.get("id"), email=data.get("email"))
        .select_related("organisation")
        .first()
    )
    if invitation is None:
        raise TierError("This invitation link is not valid.")
    return invitation


def _owns_address(user, address: str) -> bool:
    """The user's login e-mail, or another address they have verified."""
    from allauth.account.models import EmailAddress

    if user.email.lower() == address.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=address, verified=True).exists()


def accept_invitation(*, token: str, user) -> Membership:
    """Join the organisation. The signed-in user's e-mail must match the invited address."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise TierError("This invitation has already been used.")
        if invitation.revoked_at:
            raise TierError("This invitation was withdrawn.")
        if invitation.expires_at <= timezone.now():
            raise TierError("This invitation has expired; ask for a new one.")
        if not _owns_address(user, invitation.email):
            raise TierError(
                f"This invitation is for {invitation.email}; sign in with that address to accept."
            )
        membership, _ = Membership.objects.get_or_create(
            organisation=invitation.organisation,
            user=user,
            defaults={"role": invitation.role},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    _forget_user_caches(user)
    return membership


def set_point_of_contact(*, membership: Membership, by) -> Membership:
    """Make `membership` the one point of contact (the previous one stops being it)."""
    _require_admin(by, membership.organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        Membership.objects.filter(
            organisation_id=membership.organisation_id, is_point_of_contact=True
        ).exclude(pk=membership.pk).update(is_point_of_contact=False)
        membership.is_point_of_contact = True
        membership.save(update_fields=["is_point_of_contact"])
    return membership


def change_role(*, membership: Membership, role: str, by) -> Membership:
    _require_admin(by, membership.organisation)
    if role not in (Membership.ROLE_ADMIN, Membership.ROLE_MEMBER):
        raise TierError("Choose a role.")
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        if role == Membership.ROLE_MEMBER and membership.is_admin:
            admins = Membership.objects.filter(
                organisation_id=membership.organisation_id, role=Membership.ROLE_ADMIN
            ).count()
            if admins <= 1:
                raise TierError("An organisation needs at least one admin.")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(*, membership: Membership, by) -> None:
    if by.pk != membership.user_id:
        _require_admin(by, membership.organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        if membership.is_point_of_contact:
            raise TierError("Choose another point of contact before removing this person.")
        if membership.is_admin:
            admins = Membership.objects.filter(
                organisation_id=membership.organisation_id, role=Membership.ROLE_ADMIN
            ).count()
            if admins <= 1:
                raise TierError("An organisation needs at least one admin.")
        membership.delete()


def update_organisation(
    *, organisation: Organisation, by, region: str, members_see_all_tickets: bool
) -> Organisation:
    _require_admin(by, organisation)
    if region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region.")
    organisation.region = region
    organisation.members_see_all_tickets = members_see_all_tickets
    organisation.save(update_fields=["region", "members_see_all_tickets"])
    return organisation


# --- Subscriptions -----------------------------------------------------------------------------


def add_month(moment: dt.datetime) -> dt.datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar_module.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def subscribe(*, organisation: Organisation, plan: Plan, by, now=None) -> Subscription:
    """Buy `plan` for a monthly term, billed through the configured provider."""
    _require_admin(by, organisation)
    if not plan.purchasable:
        raise TierError(f"{plan.name} cannot be bought online; contact us for a quote.")
    now = now or timezone.now()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        current = Subscription.objects.filter(
            organisation=organisation, status=Subscription.STATUS_ACTIVE
        ).first()
        if current is not None:
            if current.plan_id == plan.pk and current.cancel_at_period_end:
                raise TierError("Your subscription is set to end; resume it instead.")
            raise TierError(f"{organisation} is already on {current.plan.name}.")
        provider = billing.get_provider()
        subscription = Subscription.objects.create(
            organisation=organisation,
            plan=plan,
            started_at=now,
            current_period_start=now,
            current_period_end=add_month(now),
            billing_provider=provider.name,
            created_by=by,
        )
        invoice = provider.charge_period(subscription)
        schedule_sweep_at(subscription.current_period_end)
        admins = list(
            Membership.objects.filter(
                organisation=organisation, role=Membership.ROLE_ADMIN
            ).values_list("user__email", flat=True)
        )
        notify.subscription_started(subscription, invoice, admins)
    _forget_user_caches(by)
    return subscription


def cancel_subscription(*, subscription: Subscription, by) -> Subscription:
    """Stop renewing; the plan stays active until the end of the paid period."""
    _require_admin(by, subscription.organisation)
    if subscription.status != Subscription.STATUS_ACTIVE:
        raise TierError("This subscription is not active.")
    subscription.cancel_at_period_end = True
    subscription.cancel_requested_at = timezone.now()
    subscription.save(update_fields=["cancel_at_period_end", "cancel_requested_at"])
    return subscription


def resume_subscription(*, subscription: Subscription, by) -> Subscription:
    _require_admin(by, subscription.organisation)
    if subscription.status != Subscription.STATUS_ACTIVE:
        raise TierError("This subscription has ended; buy the plan again.")
    subscription.cancel_at_period_end = False
    subscription.cancel_requested_at = None
    subscription.save(update_fields=["cancel_at_period_end", "cancel_requested_at"])
    return subscription


def renew_subscriptions(now=None) -> int:
    """End cancelled subscriptions and renew the rest whose period is over (run by the sweep)."""
    now = now or timezone.now()
    changed = 0
    due = Subscription.objects.filter(
        status=Subscription.STATUS_ACTIVE, current_period_end__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update().select_related("plan").get(pk=pk)
            )
            if subscription.status != Subscription.STATUS_ACTIVE:
                continue
            if subscription.current_period_end > now:
                continue
            if subscription.cancel_at_period_end or not subscription.plan.purchasable:
                subscription.status = Subscription.STATUS_CANCELLED
                subscription.ended_at = subscription.current_period_end
                subscription.save(update_fields=["status", "ended_at"])
            else:
                while subscription.current_period_end <= now:
                    subscription.current_period_start = subscription.current_period_end
                    subscription.current_period_end = add_month(subscription.current_period_end)
                    subscription.save(update_fields=["current_period_start", "current_period_end"])
                    billing.get_provider(subscription.billing_provider).charge_period(subscription)
                schedule_sweep_at(subscription.current_period_end)
            changed += 1
    return changed


# --- Tickets -----------------------------------------------------------------------------------


def next_case_number(prefix: str, now: dt.datetime) -> str:
    """The next number for (prefix, year): unique and gapless.

    The counter row is locked (SELECT ... FOR UPDATE; on SQLite the IMMEDIATE transaction holds
    the write lock) until the creating transaction ends, so concurrent creators queue up and a
    rolled-back ticket gives its number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_case_number must run inside the creating transaction")
    year = now.year
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # another transaction created it first
    counter = CaseCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:06d}"


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


def _check_severity(plan: Plan, value: int | None, label: str) -> None:
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


def _event(ticket, kind, summary, actor=None, public=False, **data) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, summary=summary[:300], actor=actor, public=public, data=data
    )


@dataclass
class Upload:
    """An attachment as received (from a form or an e-mail), before validation."""

    name: str
    content: bytes
    content_type: str = ""


def validate_upload(upload: Upload) -> tuple[str, str]:
    """Check name, size and type; returns (safe filename, content type) or raises TierError."""
    name = get_valid_filename(os.path.basename(upload.name or ""))[:150] or "attachment"
    extension = os.path.splitext(name)[1].lower()
    if extension not in ATTACHMENT_EXTENSIONS:
        allowed = ", ".join(sorted(ext.lstrip(".") for ext in ATTACHMENT_EXTENSIONS))
        raise TierError(f"{name}: this file type is not accepted (allowed: {allowed}).")
    size = len(upload.content)
    if size == 0:
        raise TierError(f"{name} is empty.")
    limit = _max_attachment_bytes()
    if size > limit:
        raise TierError(f"{name} is larger than the {limit // (1024 * 1024)} MB limit.")
    head = upload.content[:8]
    signatures = {
        ".png": [b"\x89PNG"],
        ".jpg": [b"\xff\xd8\xff"],
        ".jpeg": [b"\xff\xd8\xff"],
        ".zip": [b"PK\x03\x04", b"PK\x05\x06"],
        ".pcap": [
            b"\xd4\xc3\xb2\xa1",
            b"\xa1\xb2\xc3\xd4",
            b"\x4d\x3c\xb2\xa1",
            b"\xa1\xb2\x3c\x4d",
        ],
        ".pcapng": [b"\x0a\x0d\x0d\x0a"],
    }
    if extension in signatures:
        if not any(head.startswith(sig) for sig in signatures[extension]):
            raise TierError(f"{name} does not look like a {extension.lstrip('.')} file.")
    elif b"\x00" in upload.content[:8192]:
        raise TierError(f"{name} should be a text file.")
    return name, ATTACHMENT_EXTENSIONS[extension]


def _store_attachments(
    ticket: Ticket, uploads: Iterable[Upload], by, message=None, internal=False
) -> list[TicketAttachment]:
    from django.core.files.base import ContentFile

    uploads = list(uploads)
    if len(uploads) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise TierError(f"Attach at most {MAX_ATTACHMENTS_PER_MESSAGE} files at a time.")
    checked = [(upload, *validate_upload(upload)) for upload in uploads]
    stored = []
    for upload, name, content_type in checked:
        attachment = TicketAttachment(
            ticket=ticket,
            message=message,
            filename=name,
            content_type=content_type,
            size=len(upload.content),
            uploaded_by=by,
            is_internal=internal,
        )
        attachment.file.save(name, ContentFile(upload.content), save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        _event(
            ticket,
            "attachment_added",
            "Attached " + ", ".join(a.filename for a in stored),
            actor=by,
            public=not internal,
        )
    return stored


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
) -> Ticket:
    """Open a service request with its case number, SLA clock, timers and acknowledgement.

    Guarantees: the requester is a member of an organisation whose plan opens tickets on this
    channel; the case number is unique and gapless per (prefix, year); the automated
    acknowledgement (with the case number and the due time) is queued in the same transaction,
    so it goes out as soon as the ticket exists, and its time is recorded.

    `opened_by` is the analyst taking the request on the requester's behalf (phone or e-mail
    intake): it must be support staff, and the ticket, the timeline and the acknowledgement
    record who opened it and over which channel. Everything else (plan, channel, severity,
    allowance rules) is exactly what the requester would get opening it themselves. The phone
    channel takes only the severities the plan's phone line covers.
    """
    now = now or timezone.now()
    if opened_by is not None and opened_by.pk == getattr(requester, "pk", None):
        opened_by = None
    if opened_by is not None and not is_support_staff(opened_by):
        raise PermissionDenied("Only support staff open tickets on a customer's behalf.")
    subject = " ".join((subject or "").split())[:200]
    description = (description or "").strip()
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
    if not Membership.objects.filter(organisation=organisation, user=requester).exists():
        if opened_by is not None:
            raise TierError(f"{requester} is not a member of {organisation}.")
        raise PermissionDenied("You are not a member of this organisation.")
    plan = plan_for(organisation)
    if plan is None or not plan.may_open_tickets:
        if opened_by is not None:
            raise TierError(
                f"{organisation} is on {plan.name if plan else 'no plan'}, which does not "
                "include tickets: no case can be opened for it. Point the customer to the "
                "community forum, or to the plans page to upgrade."
            )
        raise TierError(
            f"{organisation} is on {plan.name if plan else 'no plan'}, which does not include "
            "tickets. Upgrade to open private tickets."
        )
    channel_label = dict(Ticket.CHANNEL_CHOICES).get(channel, channel)
    if not _channel_allowed(plan, channel):
        raise TierError(f"The {plan.name} plan does not take tickets by {channel_label.lower()}.")
    _check_severity(plan, customer_severity, "The severity estimate")
    initial_severity = classify_severity(plan, devices_affected, customer_severity)
    phone_covers = plan.phone_severity_numbers
    if channel == "phone" and phone_covers and initial_severity not in phone_covers:
        covered = " and ".join(map(str, phone_covers))
        raise TierError(
            f"The {plan.name} phone line covers severity {covered} only; this request is "
            f"severity {initial_severity}. Take it by e-mail or the web form instead."
        )
    usage = allowance_usage(organisation, plan, now)
    over = (category == "troubleshooting" and usage.troubleshooting_exhausted) or (
        category == "provisioning" and usage.provisioning_exhausted
    )

    with transaction.atomic():
        ticket = Ticket(
            case_number=next_case_number(plan.case_prefix, now),
            organisation=organisation,
            plan=plan,
            requester=requester,
            channel=channel,
            category=category,
            subject=subject,
            description=description,
            devices_affected=devices_affected,
            incident_at=incident_at,
            conditions=(conditions or "").strip(),
            tags=tags[:300],
            customer_severity=customer_severity,
            severity=initial_severity,
            severity_confirmed=bool(plan.fixed_severity),
            status=Ticket.ACKNOWLEDGED,
            region=organisation.region,
            created_at=now,
            acknowledged_at=now,
            over_allowance=over,
            thread=thread,
            opened_by=opened_by,
        )
        ticket.save()
        if opened_by is not None:
            summary = (
                f"Opened by {opened_by.public_name} (support) for {requester.public_name} "
                f"via {ticket.get_channel_display()}"
            )
        else:
            summary = f"Opened by {requester.public_name} via {ticket.get_channel_display()}"
        _event(
            ticket,
            "created",
            summary,
            actor=opened_by or requester,
            public=True,
            severity=ticket.severity,
            customer_severity=customer_severity,
            channel=channel,
            opened_by=opened_by.pk if opened_by else None,
            requester=requester.pk,
        )
        sla.start_clock(ticket, now)
        ticket.save()
        sla.schedule_escalations(ticket, now)
        _store_attachments(ticket, uploads, opened_by or requester)
        _event(
            ticket,
            "acknowledged",
            f"Automated acknowledgement sent with case number {ticket.case_number}",
            public=True,
        )
        if over:
            _event(
                ticket,
                "allowance_exceeded",
                f"Monthly {category} allowance used up ({plan.get_overage_rule_display()})",
                public=True,
            )
        notify.acknowledgement(ticket)
        notify.staff_new_ticket(ticket)
    return ticket


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
    never e-mailed to customers.
    """
    now = now or timezone.now()
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
        if not staff and ticket.status in (Ticket.RESOLVED, Ticket.CLOSED):
            if not can_reopen(ticket, now):
                raise TierError(
                    f"This case was closed more than {ticket.plan.reopen_window_days} days ago; "
                    "please open a new ticket."
                )
            ticket.status = Ticket.IN_PROGRESS if ticket.first_response_at else Ticket.ACKNOWLEDGED
            ticket.resolved_at = None
            ticket.closed_at = None
            _event(
                ticket, "reopened", "Reopened by the customer's reply", actor=author, public=True
            )
        message = TicketMessage.objects.create(
            ticket=ticket,
            author=author,
            body=body or "(attachment)",
            is_internal=internal,
            from_staff=staff,
            via_email=via_email,
            created_at=now,
        )
        _store_attachments(ticket, uploads, author, message=message, internal=internal)
        if internal:
            _event(ticket, "internal_note", "Internal note added", actor=author)
        elif staff:
            _event(
                ticket, "staff_reply", f"{author.public_name} replied", actor=author, public=True
            )
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
                    _event(ticket, "sla_breached", "First-response target missed")
                sla.stop_clock(ticket, now)
                _event(ticket, "first_response", "Analyst's first response", actor=author)
            if ticket.status in (Ticket.NEW, Ticket.ACKNOWLEDGED):
                ticket.status = Ticket.IN_PROGRESS
            notify.public_reply(ticket, message)
        else:
            _event(
                ticket, "customer_reply", f"{author.public_name} replied", actor=author, public=True
            )
            if ticket.status == Ticket.WAITING:
                ticket.status = Ticket.IN_PROGRESS
                sla.resume_clock(ticket, now)
                _event(ticket, "clock_resumed", "SLA clock resumed", public=True)
            notify.customer_reply(ticket, message)
        ticket.save()
    return message


def set_status(*, ticket: Ticket, status: str, by, now=None) -> Ticket:
    """Staff move a ticket through its lifecycle; waiting on the customer pauses the clock."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff change a ticket's status.")
    if status not in dict(Ticket.STATUS_CHOICES):
        raise TierError("Unknown status.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("plan").get(pk=ticket.pk)
        old = ticket.status
        if old == status:
            return ticket
        if old == Ticket.WAITING:
            sla.resume_clock(ticket, now)
        ticket.status = status
        if status == Ticket.WAITING:
            sla.pause_clock(ticket, now)
        if status == Ticket.RESOLVED:
            ticket.resolved_at = now
            sla.cancel_timers(ticket, None, now)
        elif status == Ticket.CLOSED:
            ticket.closed_at = now
            ticket.resolved_at = ticket.resolved_at or now
            sla.cancel_timers(ticket, None, now)
        else:
            ticket.resolved_at = None
            ticket.closed_at = None
        ticket.save()
        label = ticket.get_status_display()
        _event(ticket, "status", f"Status: {label}", actor=by, public=True, old=old, new=status)
        texts = {
            Ticket.WAITING: "Your analyst is waiting for information from you. The response clock "
            "is paused until you reply.",
            Ticket.RESOLVED: "Your analyst marked this case resolved. If the problem is not "
            f"solved, reply within {ticket.plan.reopen_window_days} days to reopen it.",
            Ticket.CLOSED: "This case is closed.",
        }
        if status in texts:
            notify.status_changed(ticket, texts[status])
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
        ticket.status = Ticket.CLOSED
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
        ticket.paused_at = None
        sla.cancel_timers(ticket, None, now)
        ticket.save()
        _event(ticket, "status", "Closed by the customer", actor=by, public=True, new="closed")
    return ticket


def set_severity(*, ticket: Ticket, severity: int, by, now=None) -> Ticket:
    """The analyst's determination. Changes the clock's calendar and the escalation path."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support analysts set the severity.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("plan").get(pk=ticket.pk)
        _check_severity(ticket.plan, severity, "The severity")
        old = ticket.severity
        old_calendar = sla.calendar_for(ticket)
        ticket.severity = severity
        ticket.severity_confirmed = True
        ticket.__dict__.pop("severity_level", None)
        if old != severity:
            sla.recalculate(ticket, now, old_calendar)
            if ticket.is_open:
                sla.schedule_escalations(ticket, now)
        ticket.save()
        _event(
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
    _check_severity(ticket.plan, requested, "The severity you ask for")
    if requested == ticket.severity:
        raise TierError("That is already the ticket's severity.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket.severity_disputed_at = now
        ticket.save(update_fields=["severity_disputed_at", "updated_at"])
        _event(
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
        _event(
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
        _event(
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
        _event(ticket, "time_logged", f"{minutes} min of {category} logged", actor=analyst)
        usage = allowance_usage(ticket.organisation, ticket.plan)
        line = {
            "troubleshooting": usage.troubleshooting_hours,
            "provisioning": usage.provisioning_hours,
        }.get(category)
        if line is not None and line.exceeded:
            over_hours = min(Decimal(minutes) / 60, line.used - line.limit)
            plan = ticket.plan
            if plan.overage_rule == Plan.OVERAGE_QUOTE and plan.overage_hourly_rate:
                create_quote(
                    ticket=ticket,
                    by=analyst,
                    reason=f"Work beyond the monthly {category} allowance",
                    amount=(over_hours * plan.overage_hourly_rate).quantize(Decimal("0.01")),
                    description=f"{over_hours:.2f} h at {plan.overage_hourly_rate} per hour.",
                )
            elif not ticket.over_allowance:
                ticket.over_allowance = True
                ticket.save(update_fields=["over_allowance", "updated_at"])
                _event(
                    ticket,
                    "allowance_exceeded",
                    f"Monthly {category} allowance exceeded",
                    public=True,
                )
    return entry


def create_quote(
    *, ticket: Ticket, by, reason: str, amount: Decimal, description: str = ""
) -> Quote:
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff make quotes.")
    if amount is None or amount < 0:
        raise TierError("Enter the fee.")
    with transaction.atomic():
        quote = Quote.objects.create(
            ticket=ticket,
            reason=reason[:300],
            description=description,
            amount=amount,
            currency=ticket.plan.currency,
            created_by=by,
        )
        _event(
            ticket, "quote", f"Quote of {amount} {quote.currency}: {reason}", actor=by, public=True
        )
        notify.quote_offered(ticket, quote)
    return quote


def mark_not_covered(
    *, ticket: Ticket, reason: ExclusionReason, amount: Decimal, description: str, by
) -> Quote:
    """The request falls under an exclusion: record why and quote professional services."""
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff decide coverage.")
    with transaction.atomic():
        ticket.not_covered_reason = reason
        ticket.save(update_fields=["not_covered_reason", "updated_at"])
        _event(ticket, "not_covered", f"Not covered: {reason.text}", actor=by, public=True)
        return create_quote(
            ticket=ticket,
            by=by,
            reason=f"Not covered by your support plan: {reason.text}",
            amount=amount,
            description=description,
        )


def decide_quote(*, quote: Quote, accept: bool, by) -> Quote:
    if not can_act_as_customer(by, quote.ticket):
        raise PermissionDenied("You cannot decide on this quote.")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.PENDING:
            raise TierError("This quote has already been answered.")
        quote.status = Quote.ACCEPTED if accept else Quote.DECLINED
        quote.decided_at = timezone.now()
        quote.decided_by = by
        quote.save(update_fields=["status", "decided_at", "decided_by"])
        _event(
            quote.ticket,
            "quote_decided",
            f"Quote {quote.get_status_display().lower()}",
            actor=by,
            public=True,
        )
        notify.quote_decided(quote.ticket, quote)
    return quote


# --- Thread to ticket --------------------------------------------------------------------------


@dataclass
class PromotionResult:
    ticket: Ticket | None
    created: bool = False
    upgrade_offered: bool = False


def system_user():
    """The account that posts the team's automatic notes in the forum.

    Created on first use. Its display name is "Support team" unless a person already goes by
    that (display names are unique ignoring case), then a numbered variant.
    """
    from resourcecenter.models import User

    email = getattr(settings, "TIERS_SYSTEM_USER_EMAIL", "support-team@example.com")
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    name, number = "Support team", 1
    while User.objects.display_name_taken(name):
        number += 1
        name = f"Support team {number}"
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, display_name=name)
            # Its notes are support staff answers: it holds the analyst role (is_staff grants none).
            user.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    except IntegrityError:  # created at the same moment by another request
        return User.objects.get(email__iexact=email)
    return user


def _thread_description(thread) -> str:
    posts = list(
        thread.posts.filter(moderation_state="approved")
        .select_related("author")
        .order_by("number")[:12]
    )
    if not posts or posts[0].number != 1:
        first = thread.posts.select_related("author").filter(number=1).first()
        posts = ([first] if first else []) + [p for p in posts if p.number != 1]
    parts = []
    if posts:
        parts.append(posts[0].body_markdown.strip())
    replies = [p for p in posts[1:] if p.author_id][:6]
    if replies:
        parts.append("\n---\nRelevant replies from the community thread:")
        for post in replies:
            who = post.author.public_name + (" (staff)" if post.is_staff_answer else "")
            parts.append(f"\n{who} wrote:\n{post.body_markdown.strip()}")
    parts.append(f"\nCommunity thread: {notify.absolute(thread.get_absolute_url())}")
    return "\n".join(parts).strip()


ESCALATION_NOTE = (
    "This question has been escalated to a private support ticket. A support analyst is "
    "following up with the author directly, and we'll share the public part of the solution "
    "here once it's resolved."
)


def promote_thread(*, thread, by, organisation: Organisation | None = None) -> PromotionResult:
    """Turn a forum thread into a private ticket for its author's organisation.

    The thread author (on a ticket plan) escalates their own thread; staff may promote any
    thread. If the author has no organisation on a ticket plan, staff promotion offers the
    author the upgrade path instead (e-mail) and creates nothing. The thread row is locked and
    `Ticket.thread` is unique, so promoting one thread twice - even concurrently - yields one
    ticket.
    """
    from forum import services as forum_services
    from forum.models import Thread
    from tiers.selectors import ticket_organisations

    staff = is_support_staff(by)
    if not staff and thread.author_id != by.pk:
        raise PermissionDenied("Only the thread's author or support staff can escalate it.")
    author = thread.author
    if author is None:
        raise TierError("This thread has no author to open a ticket for.")
    _forget_user_caches(author)
    choices = ticket_organisations(author)
    if organisation is not None:
        choices = [(org, plan) for org, plan in choices if org.pk == organisation.pk]
        if not choices:
            raise TierError(f"{organisation} cannot open tickets for this author.")
    try:
        with transaction.atomic():
            thread = Thread.objects.select_for_update().get(pk=thread.pk)
            existing = Ticket.objects.filter(thread=thread).first()
            if existing is not None:
                return PromotionResult(existing, created=False)
            if not choices:
                if not staff:
                    raise TierError(
                        "Your organisation is on Community support, which does not include tickets."
                    )
                notify.upgrade_offer(thread, author, by)
                return PromotionResult(None, upgrade_offered=True)
            org = choices[0][0]
            tags = ", ".join(thread.tags.values_list("name", flat=True))
            ticket = open_ticket(
                organisation=org,
                requester=author,
                subject=thread.title,
                description=_thread_description(thread),
                channel="thread",
                tags=tags,
                thread=thread,
            )
            _event(
                ticket,
                "promoted",
                "Promoted from the community thread"
                + (f" by {by.public_name}" if staff and by.pk != author.pk else ""),
                actor=by,
                public=True,
                thread=thread.pk,
            )
            note_author = by if staff else system_user()
            try:
                with transaction.atomic():
                    forum_services.create_reply(
                        author=note_author, thread=thread, body=ESCALATION_NOTE
                    )
            except (PermissionDenied, ValidationError) as exc:
                _event(ticket, "thread_note_failed", f"No note posted in the thread: {exc}")
    except IntegrityError:
        existing = Ticket.objects.filter(thread_id=thread.pk).first()
        if existing is None:
            raise
        return PromotionResult(existing, created=False)
    return PromotionResult(ticket, created=True)


def publish_fix_to_thread(*, ticket: Ticket, by, body: str | None = None):
    """Post the public part of the fix to the linked thread and mark it as the accepted answer."""
    from forum import services as forum_services

    if not is_support_staff(by):
        raise PermissionDenied("Only support staff publish fixes.")
    if ticket.thread_id is None:
        raise TierError("This ticket did not come from a community thread.")
    body = (body if body is not None else ticket.resolution_public).strip()
    if not body:
        raise TierError("Write the public part of the fix first (no private details).")
    with transaction.atomic():
        thread = ticket.thread
        try:
            post = forum_services.create_reply(author=by, thread=thread, body=body)
            forum_services.accept_answer(thread=thread, post=post, by=by)
        except (PermissionDenied, ValidationError) as exc:
            raise TierError(f"The thread refused the post: {exc}") from exc
        ticket.resolution_public = body
        ticket.save(update_fields=["resolution_public", "updated_at"])
        _event(
            ticket, "fix_published", "Public fix posted to the thread and marked solved", actor=by
        )
    return post


# --- Proactive problem notifications ------------------------------------------------------------


def _check_problem_severity(severity) -> int:
    from tiers.models import SeverityLevel

    numbers = sorted(set(SeverityLevel.objects.values_list("number", flat=True))) or [1, 2, 3, 4]
    if severity not in numbers:
        raise TierError(
            f"Severity must be one of {', '.join(map(str, numbers))} (1 = most severe)."
        )
    return severity


def record_problem(
    *,
    by,
    title: str,
    description: str,
    severity: int,
    region: str = "",
    organisations: Iterable[Organisation] = (),
    started_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ServiceProblem:
    """Announce a service-affecting problem.

    Records the problem and its first update and, in the same transaction, the e-mails owed to
    the contacts of every affected organisation whose plan covers the severity (see
    tiers.problems); they go out after commit, and `tiers_sweep` sends any left behind.
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff record service problems.")
    now = now or timezone.now()
    title = " ".join((title or "").split())[:200]
    description = (description or "").strip()
    if not title:
        raise TierError("Give the problem a title.")
    if not description:
        raise TierError("Describe the problem for customers.")
    _check_problem_severity(severity)
    if region and region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region, or leave it blank for every region.")
    started_at = started_at or now
    if started_at > now + dt.timedelta(minutes=5):
        raise TierError("The problem cannot start in the future.")
    organisations = list(organisations)
    with transaction.atomic():
        problem = ServiceProblem.objects.create(
            title=title,
            description=description,
            severity=severity,
            region=region or "",
            started_at=started_at,
            created_by=by,
            created_at=now,
        )
        problem.organisations.set(organisations)
        update = ProblemUpdate.objects.create(
            problem=problem,
            kind=ProblemUpdate.KIND_OPENED,
            body=description,
            status=problem.status,
            severity=severity,
            created_by=by,
            created_at=now,
        )
        problems.plan_notifications(update)
    return problem


def update_problem(
    *,
    problem: ServiceProblem,
    by,
    body: str,
    status: str | None = None,
    severity: int | None = None,
    title: str | None = None,
    description: str | None = None,
    region: str | None = None,
    organisations: Iterable[Organisation] | None = None,
    now: dt.datetime | None = None,
) -> ProblemUpdate:
    """Post an update (or the resolution) of a problem; the customers told about it hear it.

    A severity raised into a plan's range brings that plan's organisations in with this update;
    organisations told before keep hearing until the resolution. Each person is owed at most
    one e-mail per update.
    """
    if not is_support_staff(by):
        raise PermissionDenied("Only support staff update service problems.")
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise TierError("Write the update customers will receive.")
    if status is not None and status not in dict(ServiceProblem.STATUS_CHOICES):
        raise TierError("Unknown status.")
    if severity is not None:
        _check_problem_severity(severity)
    if region and region not in dict(Organisation._meta.get_field("region").choices):
        raise TierError("Choose a region, or leave it blank for every region.")
    with transaction.atomic():
        problem = ServiceProblem.objects.select_for_update().get(pk=problem.pk)
        was_resolved = problem.status == ServiceProblem.RESOLVED
        if title is not None and " ".join(title.split()):
            problem.title = " ".join(title.split())[:200]
        if description is not None and description.strip():
            problem.description = description.strip()
        if severity is not None:
            problem.severity = severity
        if region is not None:
            problem.region = region
        if status is not None:
            problem.status = status
        if problem.status == ServiceProblem.RESOLVED:
            problem.resolved_at = problem.resolved_at or now
        else:
            problem.resolved_at = None
        problem.save()
        if organisations is not None:
            problem.organisations.set(list(organisations))
        kind = (
            ProblemUpdate.KIND_RESOLVED
            if problem.status == ServiceProblem.RESOLVED and not was_resolved
            else ProblemUpdate.KIND_UPDATE
        )
        update = ProblemUpdate.objects.create(
            problem=problem,
            kind=kind,
            body=body,
            status=problem.status,
            severity=problem.severity,
            created_by=by,
            created_at=now,
        )
        problems.plan_notifications(update)
    return update


def sweep(now=None) -> dict[str, int]:
    """Everything time-driven: due timers, subscription renewals, problem notifications."""
    return {
        "timers": sla.fire_due_timers(now),
        "subscriptions": renew_subscriptions(now),
        "problem notifications": problems.deliver_due(now),
    }


@task()
def sweep_task() -> dict[str, int]:
    return sweep()


def schedule_sweep_at(when: dt.datetime) -> None:
    """Ask the worker to sweep at `when` (after commit), when the task backend can defer.

    The periodic `tiers_sweep` command covers backends that cannot, and restarts: the due
    times themselves live in the database.
    """

    def enqueue():
        if sweep_task.get_backend().supports_defer:
            sweep_task.using(run_after=when).enqueue()

    transaction.on_commit(enqueue)
