"""Demo help sessions: a month of signed-in customers searching and reading the Resource
Center, some of them then opening a ticket, so the staff dashboard's deflection panel shows
figures on the first `make run` (resourcecenter.journeys defines what a session is).

Called by tiers.demo after its tickets exist. Deterministic (a seeded generator, times
relative to now) and idempotent: nothing is added once the demo customers have help events.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from resourcecenter import journeys
from resourcecenter.models import HelpEvent
from tiers.models import Ticket

DAYS = 30
SESSIONS = 36  # sessions that end without a ticket: most people find their answer
SEED = 15


def load_help_sessions(now: dt.datetime | None = None) -> int:
    """Write the demo customers' help sessions; returns how many sessions were written."""
    now = now or timezone.now()
    people = list(
        get_user_model()
        .objects.filter(memberships__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    visitors = {pk: journeys.visitor_key(pk) for pk in people}
    if not people or HelpEvent.objects.filter(visitor__in=visitors.values()).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    events: list[HelpEvent] = []
    # Sessions that ended with a ticket: the person searched and read first, then opened it.
    opened = Ticket.objects.filter(
        requester_id__in=people,
        created_at__gte=now - dt.timedelta(days=DAYS),
        created_at__lte=now - journeys.SESSION_GAP,
    ).values_list("requester_id", "created_at")
    with_ticket = 0
    for requester_id, created_at in opened:
        start = created_at - dt.timedelta(minutes=rng.randint(12, 25))
        events += _session(visitors[requester_id], start, rng, until=created_at)
        with_ticket += 1
    # Sessions that ended without one, spread over the month (all of them over by now).
    for _ in range(SESSIONS):
        start = now - dt.timedelta(days=rng.uniform(0.1, DAYS - 0.5))
        events += _session(visitors[rng.choice(people)], start, rng, until=None)
    HelpEvent.objects.bulk_create(events)
    return with_ticket + SESSIONS


def _session(visitor: str, start: dt.datetime, rng: random.Random, *, until) -> list[HelpEvent]:
    """One to four events a few minutes apart, a search first (and before `until`, if set)."""
    at, made = start, []
    for index in range(rng.randint(1, 4)):
        if until is not None and at >= until:
            break
        kind = HelpEvent.SEARCH if index == 0 or rng.random() < 0.4 else HelpEvent.ARTICLE
        made.append(HelpEvent(visitor=visitor, kind=kind, created_at=at))
        at += dt.timedelta(minutes=rng.randint(2, 9))
    return made
