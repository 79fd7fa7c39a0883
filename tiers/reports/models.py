"""What the reports remember: which monthly KPI e-mails were claimed and sent."""

from __future__ import annotations

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
