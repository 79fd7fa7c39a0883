"""Support tiers: organisations, plans as data, subscriptions, gating and tickets.

Everything a plan promises (channels, targets, calendars, allowances) is a row edited in the
Wagtail admin, never a constant in code: the seeds (Community / Infinity, and the second scheme
Standard / Business / Enterprise) are loaded as data by `tiers.plans.seed`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from resourcecenter import roles
from tiers.plans import business_hours
from tiers.storage import PrivateStorage

REGION_US = "us"
REGION_EU = "eu"
REGION_CHOICES = [(REGION_US, "United States"), (REGION_EU, "Europe")]
CALENDAR_24X7 = "24x7"


class BusinessCalendar(models.Model):
    """When the help desk counts time: a timezone, daily opening window, weekdays, holidays.

    Organisations pick theirs through their region (`code` equals the region code); the
    always-open calendar (`code` "24x7") measures around-the-clock severities.
    """

    code = models.SlugField(max_length=20, unique=True, help_text='"us", "eu" or "24x7".')
    name = models.CharField(max_length=80)
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA zone name.")
    open_time = models.TimeField(default=dt.time(8, 0))
    close_time = models.TimeField(default=dt.time(20, 0))
    weekdays = models.CharField(
        max_length=20, default="0,1,2,3,4", help_text="Open weekdays, 0 = Monday ... 6 = Sunday."
    )
    always_open = models.BooleanField(default=False, help_text="24x7x365: ignores everything else.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        try:
            self.as_calendar(holidays=())
        except (ValueError, KeyError) as exc:
            raise ValidationError(str(exc)) from exc

    def as_calendar(self, holidays=None) -> business_hours.Calendar:
        if holidays is None:
            holidays = self.holidays.values_list("date", flat=True)
        return business_hours.Calendar(
            timezone=self.timezone,
            open_time=self.open_time,
            close_time=self.close_time,
            weekdays=business_hours.parse_weekdays(self.weekdays),
            holidays=frozenset(holidays),
            always_open=self.always_open,
        )


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="tiers_holiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SeverityScheme(models.Model):
    """A set of severity levels (the Infinity 1-4 scheme, or critical/operational/general)."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=80)

    def __str__(self) -> str:
        return self.name


class SeverityLevel(models.Model):
    """One level of a scheme. Lower number = more severe.

    `min_devices_affected`, when set on a scheme's levels, classifies a ticket from the number
    of affected devices (the second provider's rule); otherwise the analyst decides.
    """

    scheme = models.ForeignKey(SeverityScheme, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=60)
    definition = models.TextField()
    min_devices_affected = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="tiers_severity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} - {self.name}"


class Plan(models.Model):
    """A support plan and its entitlements. Plans are data: edit them in the admin."""

    OVERAGE_WARN = "warn"
    OVERAGE_QUOTE = "quote"
    OVERAGE_CHOICES = [
        (OVERAGE_WARN, "Warn and keep helping"),
        (OVERAGE_QUOTE, "Quote the extra work as paid professional services"),
    ]

    code = models.SlugField(max_length=30, unique=True, help_text="Audience code used by gating.")
    name = models.CharField(max_length=60)
    tagline = models.CharField(max_length=200, blank=True)
    is_default = models.BooleanField(default=False, help_text="Every organisation starts here.")
    purchasable = models.BooleanField(default=False, help_text="Org admins can buy it online.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    price_per_month = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    may_open_tickets = models.BooleanField(default=False)
    case_prefix = models.CharField(
        max_length=6, blank=True, help_text="Case numbers look like PREFIX-2026-000042."
    )
    channel_web = models.BooleanField(default=False)
    channel_email = models.BooleanField(default=False)
    channel_phone = models.BooleanField(default=False)
    phone_number = models.CharField(max_length=40, blank=True)
    phone_severities = models.CharField(
        max_length=20, blank=True, help_text="Severities the phone line covers, e.g. 1,2."
    )
    severity_scheme = models.ForeignKey(
        SeverityScheme, on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    fixed_severity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Every ticket gets this severity (e.g. always general)."
    )
    ack_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    response_target_hours = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="Analyst first response."
    )
    around_the_clock_severities = models.CharField(
        max_length=20,
        blank=True,
        help_text="Severities measured 24x7, e.g. 1,2; the others use the region's business hours.",
    )
    troubleshooting_hours = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text="Per month."
    )
    troubleshooting_cases = models.PositiveIntegerField(null=True, blank=True)
    provisioning_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    overage_rule = models.CharField(max_length=10, choices=OVERAGE_CHOICES, default=OVERAGE_WARN)
    overage_hourly_rate = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    proactive_notification_minutes = models.PositiveIntegerField(null=True, blank=True)
    proactive_notification_max_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    kpi_reports = models.BooleanField(default=False)
    reopen_window_days = models.PositiveSmallIntegerField(default=7)
    features = models.TextField(blank=True, help_text="One line per feature on the plans page.")

    class Meta:
        ordering = ["sort_order", "price_per_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="tiers_one_default_plan"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.may_open_tickets and not self.case_prefix:
            raise ValidationError({"case_prefix": "Plans that open tickets need a case prefix."})
        if self.may_open_tickets and not self.severity_scheme_id:
            raise ValidationError({"severity_scheme": "Plans that open tickets need a scheme."})
        for name in ("phone_severities", "around_the_clock_severities"):
            try:
                _numbers(getattr(self, name))
            except ValueError:
                raise ValidationError({name: "Use comma-separated numbers, e.g. 1,2."}) from None

    @property
    def phone_severity_numbers(self) -> list[int]:
        return _numbers(self.phone_severities)

    @property
    def around_the_clock_numbers(self) -> list[int]:
        return _numbers(self.around_the_clock_severities)

    @property
    def feature_lines(self) -> list[str]:
        return [line.strip() for line in self.features.splitlines() if line.strip()]

    @property
    def channels(self) -> list[str]:
        names = []
        if self.channel_web:
            names.append("web")
        if self.channel_email:
            names.append("e-mail")
        if self.channel_phone:
            names.append("phone")
        return names


def _numbers(value: str) -> list[int]:
    return sorted({int(part) for part in value.split(",") if part.strip()})


class EscalationContact(models.Model):
    """Someone notified when a ticket escalates (Director of Operations, VPs)."""

    name = models.CharField(max_length=80)
    title = models.CharField(max_length=80)
    email = models.EmailField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class EscalationRule(models.Model):
    """Notify `contact` when a plan's ticket of `severity` is still unresolved after a delay."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="escalation_rules")
    severity = models.PositiveSmallIntegerField()
    contact = models.ForeignKey(EscalationContact, on_delete=models.CASCADE)
    after_minutes = models.PositiveIntegerField(default=0, help_text="0 = immediately.")

    class Meta:
        ordering = ["plan", "severity", "after_minutes"]

    def __str__(self) -> str:
        return f"{self.plan} sev {self.severity} -> {self.contact} after {self.after_minutes} min"


class ExclusionReason(models.Model):
    """An issue the plan does not cover (from the support policy's exclusion list)."""

    text = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.text


class Organisation(models.Model):
    """A customer account. Its region picks the business-hours calendar for Sev 3-4 clocks."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    region = models.CharField(max_length=4, choices=REGION_CHOICES, default=REGION_US)
    members_see_all_tickets = models.BooleanField(
        default=True, help_text="Members see all of the organisation's tickets, not only theirs."
    )
    deployed_devices = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tiers:org_detail", args=[self.slug])


class Membership(models.Model):
    """A user in an organisation. Exactly one membership per organisation is the point of contact
    (at most one by the database constraint, at least one by `tiers.services`)."""

    ROLE_ADMIN = "admin"
    ROLE_MEMBER = "member"
    ROLE_CHOICES = [(ROLE_ADMIN, "Organisation admin"), (ROLE_MEMBER, "Member")]

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default=ROLE_MEMBER)
    is_point_of_contact = models.BooleanField(default=False)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="Shown times use this zone (blank: browser's)."
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="tiers_member_once"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(is_point_of_contact=True),
                name="tiers_one_point_of_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation}"

    @property
    def is_admin(self) -> bool:
        return self.role == self.ROLE_ADMIN


class Invitation(models.Model):
    """An e-mailed invitation to join an organisation; accepted through a signed token."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.ROLE_CHOICES, default="member")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return not self.accepted_at and not self.revoked_at and self.expires_at > timezone.now()


class Subscription(models.Model):
    """An organisation's paid plan for a monthly term, renewed until cancelled."""

    STATUS_ACTIVE = "active"
    STATUS_CANCELLED = "cancelled"
    STATUS_ENDED = "ended"
    STATUS_CHOICES = [
        (STATUS_ACTIVE, "Active"),
        (STATUS_CANCELLED, "Ended by cancellation"),
        (STATUS_ENDED, "Ended"),
    ]

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=STATUS_ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    billing_provider = models.CharField(max_length=30, default="invoice")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="active"),
                name="tiers_one_active_subscription",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.plan} ({self.get_status_display()})"

    @property
    def renews_at(self) -> dt.datetime | None:
        return None if self.cancel_at_period_end else self.current_period_end


class Invoice(models.Model):
    """A bill raised by the invoice billing provider (no card handling in this project)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invoices"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    number = models.CharField(max_length=30, unique=True)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number


class PageRestriction(models.Model):
    """Limit a Resource Center page (and its descendants) to organisations on some plans."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="plan_restriction"
    )
    plans = models.ManyToManyField(Plan, related_name="page_restrictions")
    teaser = models.TextField(blank=True, help_text="Shown instead of the content to others.")

    def __str__(self) -> str:
        return f"{self.page} limited to {', '.join(p.code for p in self.plans.all())}"


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


def _attachment_path(instance, filename: str) -> str:
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
    first_response_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    response_target_seconds = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    sla_clock_started_at = models.DateTimeField(null=True, blank=True)
    sla_consumed_seconds = models.PositiveIntegerField(default=0)
    breached_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation_requested_at = models.DateTimeField(null=True, blank=True)
    over_allowance = models.BooleanField(default=False)
    not_covered_reason = models.ForeignKey(
        ExclusionReason, on_delete=models.PROTECT, null=True, blank=True
    )
    resolution_public = models.TextField(
        blank=True, help_text="The public part of the fix, fit to post back to the thread."
    )
    thread = models.OneToOneField(
        "forum.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_ticket",
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
    file = models.FileField(upload_to=_attachment_path, storage=PrivateStorage(), max_length=300)
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


class CategoryRestriction(models.Model):
    """Limit a forum category to organisations on some plans."""

    category = models.OneToOneField(
        "forum.Category", on_delete=models.CASCADE, related_name="plan_restriction"
    )
    plans = models.ManyToManyField(Plan, related_name="category_restrictions")

    def __str__(self) -> str:
        return f"{self.category} limited to {', '.join(p.code for p in self.plans.all())}"


class ServiceProblem(models.Model):
    """A service-affecting problem on the provider's network (proactive problem notification).

    Staff record it in the admin; organisations whose plan includes proactive notifications
    and whose plan's maximum severity covers it are e-mailed (point of contact and org admins)
    within the plan's window, and again for every update and the resolution. Severity numbers
    follow the schemes' convention: 1 is the most severe in every scheme.

    Who is affected: `region` (blank = every region) and `organisations` (none chosen = every
    organisation in the region). The description and updates are sent to every affected
    customer, so they must not name other customers.
    """

    OPEN = "open"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    STATUS_CHOICES = [
        (OPEN, "Open - investigating"),
        (MONITORING, "Monitoring - fix applied"),
        (RESOLVED, "Resolved"),
    ]

    title = models.CharField(max_length=200)
    description = models.TextField(
        help_text="Sent to every affected customer: never name other customers here."
    )
    severity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="1 is the most severe."
    )
    region = models.CharField(
        max_length=4, choices=REGION_CHOICES, blank=True, help_text="Blank: every region."
    )
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="service_problems",
        help_text="Only these organisations (none chosen: every organisation in the region).",
    )
    started_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tiers:problem_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status != self.RESOLVED


class ProblemUpdate(models.Model):
    """One announcement about a problem: its opening, each update, its resolution."""

    KIND_OPENED = "opened"
    KIND_UPDATE = "update"
    KIND_RESOLVED = "resolved"
    KIND_CHOICES = [
        (KIND_OPENED, "Problem reported"),
        (KIND_UPDATE, "Update"),
        (KIND_RESOLVED, "Resolved"),
    ]

    problem = models.ForeignKey(ServiceProblem, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=ServiceProblem.STATUS_CHOICES)
    severity = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.problem}: {self.get_kind_display()}"


class ProblemNotification(models.Model):
    """One e-mail owed to one person about one problem update: the durable outbox.

    Rows are created in the transaction that records the update, one per person (unique per
    update and user, so nobody hears twice about the same update even when they belong to
    several affected organisations). The sweep claims each pending row with a conditional
    UPDATE and queues its e-mail in the same transaction, so a crash part-way through a
    fan-out leaves the unsent rows pending for the next sweep and never re-sends a sent one.
    """

    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    STATUS_CHOICES = [(PENDING, "Pending"), (SENT, "Sent"), (SKIPPED, "Skipped")]

    update = models.ForeignKey(
        ProblemUpdate, on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_notifications"
    )
    organisations = models.ManyToManyField(Organisation, related_name="problem_notifications")
    deadline_at = models.DateTimeField(help_text="The plan's window ends here.")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    email = models.EmailField(blank=True, help_text="Where it was sent.")
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deadline_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["update", "user"], name="tiers_problem_notify_once")
        ]
        indexes = [models.Index(fields=["status", "deadline_at"])]

    def __str__(self) -> str:
        return f"{self.update} to {self.user}"

    @property
    def is_late(self) -> bool:
        return self.sent_at is not None and self.sent_at > self.deadline_at
