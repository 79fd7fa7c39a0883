"""What the reports remember: which monthly KPI e-mails were claimed and sent, which
early-warning suggestions the leads were told about, and who switched those e-mails off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tiers.plans.models import Organisation


class KpiReportDelivery(models.Model):
    """One organisation's KPI e-mail for one month, claimed before it is sent.

    The unique (organisation, month) row is the claim: whichever sweep inserts it sends the
    e-mail (in the same transaction, so a rolled-back sweep claims nothing), every other sweep
    finds it and skips, so an organisation hears about a month exactly once.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="kpi_reports"
    )
    month = models.DateField(help_text="The first day of the month reported on.")
    recipients = models.TextField(blank=True, help_text="Who it was sent to, one per line.")
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"], name="tiers_kpi_report_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: KPI report {self.month:%Y-%m}"


class EarlyWarningAlert(models.Model):
    """One early-warning suggestion the support leads were e-mailed about.

    The row is the claim, inserted in the transaction that queues the e-mails: its unique
    `key` (the suggestion's signals) lets one sweep win when two run at once, and a later
    sweep finds it (or an alert sharing one of its symptom signals, as the suggestion grows)
    and stays quiet, so the leads hear about each suggestion once.
    """

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the signals.")
    signals = models.JSONField(default=list, help_text="The signal names, as suggested.")
    title = models.CharField(max_length=200)
    recipients = models.TextField(blank=True, help_text="Who it was sent to, one per line.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Early warning: {self.title}"


class EarlyWarningMute(models.Model):
    """A support lead who switched the early-warning e-mails off (on the early-warning
    screen); the screen itself still shows every suggestion."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="early_warning_mute"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} mutes early-warning e-mails"
