"""Telling the support leads: when the early warning suggests a new incident, each lead who
has not switched it off gets one e-mail about it, once per suggestion.

Run by the sweep (`tiers_sweep`), at most every `CHECK_EVERY` (the suggestion reads a week of
threads, tickets and searches). A suggestion is *new* unless an alert of the last `MEMORY`
shares one of its symptom signals: a spike that grows ("no data" joined by "trackers")
stays the same suggestion. The `EarlyWarningAlert` row inserted in the transaction that
queues the e-mails is the claim (see its docstring), so a repeated or concurrent sweep sends
nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from resourcecenter.emails import queue_templated_email, render_subject
from resourcecenter.roles import Power, guardian_for, users_with_power
from tiers import sweeps
from tiers.mail import absolute
from tiers.reports import early_warning
from tiers.reports.models import EarlyWarningAlert, EarlyWarningMute

logger = logging.getLogger(__name__)

CHECK_EVERY = dt.timedelta(minutes=10)
MEMORY = dt.timedelta(days=2)
EVIDENCE_SHOWN = 10


def _symptom_signals(suggestion: early_warning.Suggestion) -> set[str]:
    names = {s.name for s in suggestion.signals}
    return {n for n in names if n.startswith(early_warning.SYMPTOM_KINDS)} or names


def _already_told(suggestion, now: dt.datetime) -> bool:
    mine = _symptom_signals(suggestion)
    recent = EarlyWarningAlert.objects.filter(created_at__gte=now - MEMORY)
    return any(mine & set(signals) for signals in recent.values_list("signals", flat=True))


def lead_addresses() -> list[str]:
    """The support leads who want the e-mails (everyone with the lead power, minus those who
    switched it off), with an address."""
    muted = EarlyWarningMute.objects.values("user_id")
    leads = users_with_power(Power.LEAD_SUPPORT).exclude(pk__in=muted).exclude(email="")
    return sorted(set(leads.values_list("email", flat=True)))


def alert_leads(now: dt.datetime | None = None) -> int:
    """E-mail the leads about every new suggestion; returns how many suggestions were new."""
    now = now or timezone.now()
    told = 0
    for suggestion in early_warning.suggestions(now):
        if _already_told(suggestion, now):
            continue
        try:
            told += _tell(suggestion, now)
        except IntegrityError:
            continue  # another sweep claimed it first
    return told


def _tell(suggestion, now: dt.datetime) -> int:
    to = lead_addresses()
    signals = sorted(s.name for s in suggestion.signals)
    with transaction.atomic():
        EarlyWarningAlert.objects.create(
            key=hashlib.sha256(suggestion.key.encode()).hexdigest(),
            signals=signals,
            title=suggestion.title,
            recipients="\n".join(to),
            created_at=now,
        )
        if not to:
            logger.warning("Early warning %r: no support lead to tell", suggestion.title)
        context = {
            "suggestion": suggestion,
            "evidence": suggestion.items[:EVIDENCE_SHOWN],
            "more": max(0, len(suggestion.items) - EVIDENCE_SHOWN),
            "hours": int(early_warning.RECENT.total_seconds() // 3600),
            "link": absolute(reverse("tiers_early_warning")),
        }
        subject = render_subject("tiers/emails/early_warning", context)
        for address in to:  # one each: a lead's reply or forward concerns only them
            queue_templated_email([address], subject, "tiers/emails/early_warning", context)
    return 1


@sweeps.job("early warning alerts", order=75)
def alert_leads_job(now=None) -> int:
    """The sweep's call, at most every CHECK_EVERY (cache.add is the throttle)."""
    if not cache.add("tiers.early_warning.alerts_checked", True, CHECK_EVERY.total_seconds()):
        return 0
    return alert_leads(now)


def wants_alerts(user) -> bool:
    return not EarlyWarningMute.objects.filter(user=user).exists()


def set_alerts(user, *, on: bool) -> None:
    """Switch a support lead's early-warning e-mails on or off (idempotent)."""
    if not guardian_for(user).is_support_lead:
        raise PermissionDenied("Only support leads receive early-warning e-mails.")
    if on:
        EarlyWarningMute.objects.filter(user=user).delete()
    else:
        EarlyWarningMute.objects.get_or_create(user=user)
