"""Incidents on the provider's network (grown from "service problems"), their updates, the
proactive-notification outbox, the components they affect, scheduled maintenance, and the
status page's subscribers and webhooks.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wagtail import blocks
from wagtail.fields import StreamField

from tiers.plans.models import REGION_CHOICES, Organisation


class Component(models.Model):
    """A part of the service customers watch on the status page (data service, SMS, API, ...).

    Components are data: staff add them in the admin, optionally per region or network
    partner. A component has no stored state: its current state is derived from the open
    public incidents that affect it and the maintenance in progress
    (`tiers.incidents.selectors.component_states`), so the page can never disagree with the
    incidents it shows.
    """

    OPERATIONAL = "operational"
    DEGRADED = "degraded_performance"
    PARTIAL = "partial_outage"
    MAJOR = "major_outage"
    MAINTENANCE = "under_maintenance"
    STATE_CHOICES = [
        (OPERATIONAL, "Operational"),
        (DEGRADED, "Degraded performance"),
        (PARTIAL, "Partial outage"),
        (MAJOR, "Major outage"),
        (MAINTENANCE, "Under maintenance"),
    ]
    # How bad each state is, to pick the worst of several (maintenance is planned, so it
    # ranks below any unplanned impairment).
    STATE_RANK = {OPERATIONAL: 0, MAINTENANCE: 1, DEGRADED: 2, PARTIAL: 3, MAJOR: 4}
    # States an incident can put a component in.
    INCIDENT_STATE_CHOICES = [
        (DEGRADED, "Degraded performance"),
        (PARTIAL, "Partial outage"),
        (MAJOR, "Major outage"),
    ]

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    group = models.CharField(
        max_length=60, blank=True, help_text="Shown as a heading, e.g. Connectivity or Platform."
    )
    region = models.CharField(max_length=60, blank=True, help_text="Optional, e.g. Europe.")
    network_partner = models.CharField(
        max_length=100, blank=True, help_text="Optional: the partner network this stands for."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_public = models.BooleanField(default=True, help_text="Shown on the public status page.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def worst(cls, states) -> str:
        return max(states, key=cls.STATE_RANK.__getitem__, default=cls.OPERATIONAL)


class ServiceProblem(models.Model):
    """An incident: a service-affecting problem on the provider's network.

    It started as the "service problem" of proactive problem notification and keeps that job:

    Staff record it in the admin; organisations whose plan includes proactive notifications
    and whose plan's maximum severity covers it are e-mailed (point of contact and org admins)
    within the plan's window, and again for every update and the resolution. Severity numbers
    follow the schemes' convention: 1 is the most severe in every scheme.

    Who is affected: `region` (blank = every region) and `organisations` (none chosen = every
    organisation in the region). The description and updates are sent to every affected
    customer, so they must not name other customers.

    On the public status page (`is_public`) it shows with its impact class, the components it
    affects (and the state it puts each in), its start and end and its timeline of updates.
    Impact classes follow the second seed: critical (the service is unavailable, or at least
    1,000 devices affected), operational (partial functionality, at least 25 devices),
    general (anything else); see `tiers.incidents.impact`.
    """

    INVESTIGATING = "investigating"  # "open" before the status page; migrated
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    STATUS_CHOICES = [
        (INVESTIGATING, "Investigating"),
        (IDENTIFIED, "Identified"),
        (MONITORING, "Monitoring - fix applied"),
        (RESOLVED, "Resolved"),
    ]

    CRITICAL = "critical"
    OPERATIONAL = "operational"
    GENERAL = "general"
    IMPACT_CHOICES = [
        (CRITICAL, "Critical - service unavailable or 1,000+ devices"),
        (OPERATIONAL, "Operational - partial functionality, 25+ devices"),
        (GENERAL, "General - anything else"),
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
    status = models.CharField(max_length=13, choices=STATUS_CHOICES, default=INVESTIGATING)
    resolved_at = models.DateTimeField(null=True, blank=True)
    impact = models.CharField(max_length=12, choices=IMPACT_CHOICES, default=GENERAL)
    devices_affected = models.PositiveIntegerField(
        null=True, blank=True, help_text="Best estimate; decides the impact class with the next."
    )
    service_unavailable = models.BooleanField(
        default=False, help_text="The service is unavailable, not just partly working."
    )
    components = models.ManyToManyField(
        Component, through="IncidentComponent", blank=True, related_name="incidents"
    )
    is_public = models.BooleanField(
        default=True,
        help_text="Shown on the public status page and sent to its subscribers. "
        "Problems recorded before the status page existed stay private.",
    )
    postmortem = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", icon="title")),
            ("paragraph", blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])),
            (
                "action",
                blocks.StructBlock(
                    [("measure", blocks.CharBlock()), ("status", blocks.CharBlock(required=False))],
                    icon="tick",
                ),
            ),
        ],
        blank=True,
        use_json_field=True,
        help_text="Root-cause analysis and postmortem: what happened, what changed, and the "
        "measures against a repeat. Readers follow their plan (Plan.postmortem_impacts).",
    )
    postmortem_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["is_public", "started_at"]),
        ]
        verbose_name = "incident"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tiers:problem_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status != self.RESOLVED

    @property
    def impact_name(self) -> str:
        """ "Critical", "Operational" or "General" (the choice label without its definition)."""
        return self.get_impact_display().split(" - ")[0]

    def get_status_url(self) -> str:
        """Its public page on the status page (only meaningful when `is_public`)."""
        return reverse("status:incident", args=[self.pk])

    def get_postmortem_url(self) -> str:
        return reverse("tiers:problem_postmortem", args=[self.pk])

    @property
    def postmortem_is_published(self) -> bool:
        return self.postmortem_published_at is not None and bool(self.postmortem)


class IncidentComponent(models.Model):
    """A component an incident affects, and the state the incident puts it in."""

    incident = models.ForeignKey(
        ServiceProblem, on_delete=models.CASCADE, related_name="component_links"
    )
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=20, choices=Component.INCIDENT_STATE_CHOICES, default=Component.PARTIAL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "component"], name="tiers_incident_component_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.component}: {self.get_state_display()}"


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
    status = models.CharField(max_length=13, choices=ServiceProblem.STATUS_CHOICES)
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
    QUEUED = "queued"  # claimed, its e-mail waiting in the task queue: not sent yet
    SENT = "sent"  # handed to the mail backend at sent_at
    SKIPPED = "skipped"
    STATUS_CHOICES = [
        (PENDING, "Pending"),
        (QUEUED, "Queued, not sent yet"),
        (SENT, "Sent"),
        (SKIPPED, "Skipped"),
    ]
    NOT_SENT_YET = (PENDING, QUEUED)

    update = models.ForeignKey(
        ProblemUpdate, on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_notifications"
    )
    organisations = models.ManyToManyField(Organisation, related_name="problem_notifications")
    declared_at = models.DateTimeField(
        null=True, help_text="When the incident (or the update) was declared: the window opens."
    )
    deadline_at = models.DateTimeField(help_text="The plan's window ends here.")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    email = models.EmailField(blank=True, help_text="Where it was sent.")
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep queued the e-mail for the mail worker."
    )
    sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the mail worker handed it to the mail server.",
    )
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


class MaintenanceWindow(models.Model):
    """Scheduled maintenance, announced ahead on the status page and to its subscribers.

    Its state follows the clock (upcoming, in progress, completed) unless staff cancel it;
    while in progress its components show "under maintenance" (unless an incident makes
    them worse). Maintenance never counts as downtime in the uptime history.
    """

    UPCOMING = "upcoming"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    title = models.CharField(max_length=200)
    description = models.TextField(help_text="What changes and what customers may notice.")
    components = models.ManyToManyField(Component, related_name="maintenance_windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    is_public = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="tiers_maintenance_ends_after_start",
                violation_error_message="The maintenance must end after it starts.",
            )
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]
        verbose_name = "maintenance window"

    def __str__(self) -> str:
        return self.title

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.cancelled_at:
            return self.CANCELLED
        if now < self.starts_at:
            return self.UPCOMING
        if now < self.ends_at:
            return self.IN_PROGRESS
        return self.COMPLETED

    def get_state_display(self) -> str:
        return self.state().replace("_", " ").capitalize()


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class StatusSubscriber(models.Model):
    """An e-mail address that follows the status page (double opt-in).

    Nothing is sent but the confirmation until the owner follows the signed confirmation
    link; every e-mail carries a signed one-click unsubscribe link. `components` empty means
    every component. The address is stored lower-cased and is unique.
    """

    email = models.EmailField(unique=True)
    components = models.ManyToManyField(Component, blank=True, related_name="+")
    token = models.CharField(max_length=64, default=_new_token, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]
        verbose_name = "status page subscriber"

    def __str__(self) -> str:
        return self.email


class WebhookEndpoint(models.Model):
    """A customer's URL that receives status events as signed JSON POSTs.

    Registered on the status page with a contact address that must confirm it (so nobody can
    point our sender at someone else's server); every request carries
    `X-Status-Timestamp` and `X-Status-Signature: sha256=HMAC(secret, "<timestamp>.<body>")`.
    """

    url = models.URLField(max_length=500)
    contact_email = models.EmailField()
    secret = models.CharField(max_length=64, default=_new_token, editable=False)
    token = models.CharField(max_length=64, default=_new_token, editable=False)
    components = models.ManyToManyField(Component, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url"]
        verbose_name = "status webhook"

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.disabled_at is None


class WebhookDelivery(models.Model):
    """One event owed to one webhook: the delivery log and the retry queue.

    Written in the transaction of the change it reports; the body is stored exactly as signed
    and sent, so every retry sends the same bytes with a fresh timestamp and signature.
    """

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    STATUS_CHOICES = [(PENDING, "Pending"), (DELIVERED, "Delivered"), (FAILED, "Failed")]

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"
