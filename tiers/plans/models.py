"""Plans as data, organisations, members, subscriptions, invoices and content restrictions
(the business calendars plans count time in are in `tiers.plans.calendar_models`).

Everything a plan promises (channels, targets, calendars, allowances) is a row edited in the
Wagtail admin, never a constant in code: the seeds are loaded as data by `tiers.plans.seed`.
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

REGION_US = "us"
REGION_EU = "eu"
REGION_CHOICES = [(REGION_US, "United States"), (REGION_EU, "Europe")]


class SeverityScheme(models.Model):
    """A set of severity levels (e.g. severities 1-4, or critical/operational/general)."""

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
    case_reports = models.BooleanField(
        default=False,
        help_text="Organisation admins see monthly case reports (figures, charts, CSV).",
    )
    kpi_reports = models.BooleanField(
        default=False, help_text="The organisation's admins get the case report by e-mail monthly."
    )
    postmortem_impacts = models.CharField(
        max_length=40,
        blank=True,
        help_text="Impact classes whose root-cause analyses and postmortems this plan's "
        "organisations read, comma-separated: critical, operational, general.",
    )
    network_traces = models.BooleanField(
        default=False, help_text="Customers may request a network trace (pcap) from a ticket."
    )
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
        unknown = set(self.postmortem_impact_list) - set(IMPACT_CLASSES)
        if unknown:
            raise ValidationError(
                {"postmortem_impacts": "Use critical, operational and/or general."}
            )

    @property
    def phone_severity_numbers(self) -> list[int]:
        return _numbers(self.phone_severities)

    @property
    def around_the_clock_numbers(self) -> list[int]:
        return _numbers(self.around_the_clock_severities)

    @property
    def resolution_target_rows(self) -> list[tuple[int, Decimal, bool]]:
        """(severity, hours, counted around the clock) per target (tiers.plans.targets); the
        plan table words them ("Severity 1: within 4 hours")."""
        around = set(self.around_the_clock_numbers)
        return [(t.severity, t.hours, t.severity in around) for t in self.resolution_targets.all()]

    @property
    def postmortem_impact_list(self) -> list[str]:
        return [part.strip() for part in self.postmortem_impacts.split(",") if part.strip()]

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


# The incident impact classes (tiers.incidents.models.ServiceProblem.IMPACT_CHOICES).
IMPACT_CLASSES = ("critical", "operational", "general")


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
    # Sales-assisted plans (assigned by a support lead, not bought online): a term of several
    # months, an agreed price, and what was agreed.
    sales_assisted = models.BooleanField(default=False)
    term_months = models.PositiveSmallIntegerField(
        default=1, help_text="Months per term; each renewal runs one more term."
    )
    price_override = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Agreed price per month; empty = the plan's price.",
    )
    notes = models.TextField(blank=True, help_text="What was agreed (staff only).")

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

    @property
    def price_per_month(self):
        return self.plan.price_per_month if self.price_override is None else self.price_override


class InvoiceCounter(models.Model):
    """Last invoice number used in a calendar year (numbers run across organisations)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"INV-{self.year}: {self.last_number}"


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


class CategoryRestriction(models.Model):
    """Limit a forum category to organisations on some plans."""

    category = models.OneToOneField(
        "forum.Category", on_delete=models.CASCADE, related_name="plan_restriction"
    )
    plans = models.ManyToManyField(Plan, related_name="category_restrictions")
    teaser = models.TextField(
        blank=True, help_text="Shown to readers without the plan, with the way to get it."
    )

    def __str__(self) -> str:
        return f"{self.category} limited to {', '.join(p.code for p in self.plans.all())}"
