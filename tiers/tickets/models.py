"""Tickets and what hangs off them: messages, attachments, the timeline, SLA timers, time
entries and quotes. Private to the organisation and support staff."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from resourcecenter import roles
from tiers.plans.models import (
    REGION_CHOICES,
    EscalationContact,
    ExclusionReason,
    Organisation,
    Plan,
    SeverityLevel,
)
from tiers.storage import PrivateStorage


class CaseCounter(models.Model):
    """Last case number used for (prefix, year); locked while a ticket is created."""

    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="tiers_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


def attachment_path(instance, filename: str) -> str:
    return f"tickets/{instance.ticket_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Ticket(models.Model):
    """A service request. Private to its organisation and support staff."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"
    STATUS_CHOICES = [
        (NEW, "New"),
        (ACKNOWLEDGED, "Acknowledged"),
        (IN_PROGRESS, "In progress"),
        (WAITING, "Waiting on customer"),
        (RESOLVED, "Resolved"),
        (CLOSED, "Closed"),
    ]
    OPEN_STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS, WAITING)

    CHANNEL_CHOICES = [
        ("web", "Web"),
        ("email", "E-mail"),
        ("phone", "Phone"),
        ("thread", "Community thread"),
    ]
    CATEGORY_CHOICES = [
        ("troubleshooting", "Device status and troubleshooting"),
        ("provisioning", "Provisioning"),
        ("web_services", "Use of the web services"),
        ("other", "Other"),
    ]

    case_number = models.CharField(max_length=30, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tickets")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tickets")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_tickets"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to=roles.ticket_workers_q,
    )
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES, default="web")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The analyst who opened it on the requester's behalf (phone or e-mail intake).",
    )
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES, default="troubleshooting")
    subject = models.CharField(max_length=200)
    description = models.TextField()
    devices_affected = models.PositiveIntegerField(null=True, blank=True)
    incident_at = models.DateTimeField(null=True, blank=True)
    conditions = models.TextField(blank=True)
    tags = models.CharField(max_length=300, blank=True)
    customer_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField()
    severity_confirmed = models.BooleanField(default=False)
    severity_disputed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=STATUS_CHOICES, default=NEW)
    region = models.CharField(max_length=4, choices=REGION_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the acknowledgement e-mail actually left."
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    response_target_seconds = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    sla_clock_started_at = models.DateTimeField(null=True, blank=True)
    sla_consumed_seconds = models.PositiveIntegerField(default=0)
    breached_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The plan's resolution target for the severity (0: none) and, once resolved, the hours
    # it took in the same calendar, without the time excluded: waiting on the customer, and
    # resolved before a reopening.
    resolution_target_seconds = models.PositiveIntegerField(default=0)
    resolution_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_met = models.BooleanField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    excluded_business_seconds = models.PositiveIntegerField(default=0)
    # The analyst's estimate the customer sees, and whether the resolution came by then.
    estimated_resolution_at = models.DateTimeField(null=True, blank=True)
    estimated_resolution_met = models.BooleanField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation_requested_at = models.DateTimeField(null=True, blank=True)
    over_allowance = models.BooleanField(default=False)
    not_covered_reason = models.ForeignKey(
        ExclusionReason, on_delete=models.PROTECT, null=True, blank=True
    )
    resolution_public = models.TextField(
        blank=True, help_text="The public part of the fix, fit to post back to the thread."
    )
    incident = models.ForeignKey(
        "tiers.ServiceProblem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_tickets",
        help_text="The incident this case is about: it hears every update and does not count "
        "against the monthly allowance.",
    )
    incident_linked_at = models.DateTimeField(null=True, blank=True)
    thread = models.OneToOneField(
        "forum.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_ticket",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_tickets",
        help_text="The case this duplicate was merged into (its conversation moved there).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "response_due_at"]),
            models.Index(fields=["organisation", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_number}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tiers:ticket_detail", args=[self.case_number])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None

    @property
    def around_the_clock(self) -> bool:
        return self.severity in self.plan.around_the_clock_numbers

    @cached_property
    def severity_level(self) -> SeverityLevel | None:
        if not self.plan.severity_scheme_id:
            return None
        return self.plan.severity_scheme.levels.filter(number=self.severity).first()


class TicketMessage(models.Model):
    """A public reply (customer or staff) or an internal staff note (never shown to customers)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    from_staff = models.BooleanField(default=False)
    via_email = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.case_number} message {self.pk}"


class TicketAttachment(models.Model):
    """A file on a ticket: stored outside the public media root, served by a checked view."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, storage=PrivateStorage(), max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One line of a ticket's timeline: every change, notification and clock event.

    `public` events may be shown to the customer; the rest are for staff only.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.case_number}: {self.kind}"


def _trace_path(instance, filename: str) -> str:
    return f"traces/{instance.ticket_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class NetworkTrace(models.Model):
    """A network trace a customer requested on a ticket, and the capture staff attach.

    Plans say who may ask (`Plan.network_traces`). The capture (pcap) lives in private storage
    and is served only through the ticket's checked download view, to the organisation's
    members who see the ticket and support staff.
    """

    REQUESTED = "requested"
    ATTACHED = "attached"
    STATUS_CHOICES = [(REQUESTED, "Requested"), (ATTACHED, "Capture attached")]

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="traces")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    iccids = models.TextField(help_text="One ICCID per line.")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=REQUESTED)
    capture = models.FileField(
        upload_to=_trace_path, storage=PrivateStorage(), max_length=300, blank=True
    )
    capture_name = models.CharField(max_length=200, blank=True)
    capture_size = models.PositiveIntegerField(null=True, blank=True)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="tiers_trace_window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Trace {self.pk} on {self.ticket_id}"

    @property
    def iccid_list(self) -> list[str]:
        return self.iccids.split()


class TicketTimer(models.Model):
    """A due time the task worker acts on (SLA warnings, breach, escalation steps).

    Stored in the database so restarts lose nothing: `tiers_sweep` (and the deferred task that
    the creating transaction schedules) fires every timer whose `due_at` has passed, exactly once.
    """

    KIND_WARN = "warn"
    KIND_BREACH = "breach"
    KIND_ESCALATE = "escalate"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timers")
    kind = models.CharField(max_length=10)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    contact = models.ForeignKey(EscalationContact, on_delete=models.CASCADE, null=True, blank=True)
    due_at = models.DateTimeField(db_index=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.case_number} {self.kind} at {self.due_at}"


class TimeEntry(models.Model):
    """Analyst time on a ticket; counts against the organisation's monthly allowance."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    category = models.CharField(max_length=20, choices=Ticket.CATEGORY_CHOICES)
    note = models.CharField(max_length=200, blank=True)
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-logged_at"]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.ticket_id}"


class Quote(models.Model):
    """A professional-services fee quote the customer accepts or declines."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STATUS_CHOICES = [
        (PENDING, "Awaiting your decision"),
        (ACCEPTED, "Accepted"),
        (DECLINED, "Declined"),
    ]

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="quotes")
    reason = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.get_status_display()})"


class InboundMessage(models.Model):
    """Every e-mail the support mailbox receives, stored raw before anything reads it.

    Storing first means no message is lost to a parser crash: a message that cannot be
    processed stays here as `failed` with the reason, and one whose sender could not be
    authenticated stays `held` until an analyst releases it as a customer reply (or new
    ticket) or discards it. `provider_id` (the webhook provider's event id) makes a retried
    delivery a no-op.
    """

    RECEIVED, PROCESSED, HELD, FAILED, BOUNCED, RELEASED, DISCARDED = (
        "received", "processed", "held", "failed", "bounced", "released", "discarded",
    )  # fmt: skip
    STATUS_CHOICES = [
        (RECEIVED, "Received (not processed yet)"),
        (PROCESSED, "Processed"),
        (HELD, "Held for review (sender not authenticated)"),
        (FAILED, "Could not be processed"),
        (BOUNCED, "Bounced"),
        (RELEASED, "Released by staff"),
        (DISCARDED, "Discarded by staff"),
    ]
    SOURCE_CHOICES = [("command", "Management command"), ("webhook", "Inbound webhook")]

    raw = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=20, choices=SOURCE_CHOICES, default="command")
    provider_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    envelope_recipient = models.CharField(max_length=320, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=RECEIVED)
    reason = models.CharField(max_length=500, blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.sender or '(no sender)'}: {self.subject or '(no subject)'}"
