"""The impact class of an incident, as the second seed defines it.

- critical: an outage, interruption or critical degradation that renders the service
  unavailable, or a data service degradation affecting at least 1,000 devices;
- operational: partial functionality (degraded or limited, regular services still available)
  affecting at least 25 devices;
- general: anything else.
"""

from __future__ import annotations

CRITICAL_MIN_DEVICES = 1000
OPERATIONAL_MIN_DEVICES = 25


def classify(*, devices_affected: int | None, service_unavailable: bool) -> str:
    """The impact class for an incident's facts (the `ServiceProblem.IMPACT_CHOICES` value)."""
    devices = devices_affected or 0
    if service_unavailable or devices >= CRITICAL_MIN_DEVICES:
        return "critical"
    if devices >= OPERATIONAL_MIN_DEVICES:
        return "operational"
    return "general"
