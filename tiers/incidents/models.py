"""Service problems on the provider's network, their updates and the notification outbox."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tiers.plans.models import REGION_CHOICES, Organisation


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
