"""Keeping the reports' own logs bounded (run by the sweep)."""

from __future__ import annotations

from resourcecenter import journeys
from tiers import sweeps


@sweeps.job("help events pruned", order=80)
def prune_help_events(now=None) -> int:
    return journeys.prune(now)
