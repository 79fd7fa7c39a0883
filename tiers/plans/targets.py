"""Resolution-time targets: per plan and severity, beside the plan's first-response target.

A target is counted in the same hours as the first response (24x7 for the plan's
around-the-clock severities, else the organisation region's business hours) and measured on
each ticket when it is resolved (tiers.tickets.resolution). Plans are data: leads edit the
targets in the admin ("Support settings"); the seeds carry defaults.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from tiers.plans.models import Plan


class ResolutionTarget(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="resolution_targets")
    severity = models.PositiveSmallIntegerField()
    hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text="Hours to resolve (business hours unless measured around the clock).",
    )

    class Meta:
        ordering = ["plan", "severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "severity"], name="tiers_one_resolution_target_per_severity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}: severity {self.severity} within {self.hours.normalize():f} h"


def target_seconds(plan: Plan, severity: int) -> int:
    """The plan's resolution target for `severity` in seconds (0: the plan promises none).

    Reads the prefetched `resolution_targets` when the caller loaded them."""
    for target in plan.resolution_targets.all():
        if target.severity == severity:
            return int(target.hours * 3600)
    return 0
