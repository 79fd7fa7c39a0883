"""Self-service journeys: what signed-in people read and searched before they opened a ticket
(or did not). The definition the staff dashboard's deflection figure uses lives here.

A *help session* is a run of one signed-in person's searches (the search page, first page of
results) and Resource Center page views in which no two consecutive events are more than
`SESSION_GAP` (30 minutes) apart; it ends `SESSION_GAP` after its last event. A session *ended
with a ticket* when the same person opened a ticket between the session's first event and its
end; otherwise it *ended without a ticket* (deflected). Deflection over a period = sessions
that started in it and have ended, without a ticket, divided by all such sessions. Visitors who
are not signed in cannot open tickets and are not counted.

Search records through `record(request, HelpEvent.SEARCH)`, kb through `HelpEvent.ARTICLE`;
tiers, which owns tickets, builds the sessions (`sessions`) and matches its tickets to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.crypto import salted_hmac

SESSION_GAP = dt.timedelta(minutes=30)
KEEP = dt.timedelta(days=400)  # a year of figures, and the month before it


def visitor_key(user_id: int) -> str:
    """The stored stand-in for a user: stable while SECRET_KEY is, and meaningless without it."""
    return salted_hmac("resourcecenter.journeys.visitor", str(user_id)).hexdigest()[:32]


def record(request, kind: str, now: dt.datetime | None = None) -> None:
    """Note that the signed-in visitor of `request` searched or read a page (else nothing)."""
    from resourcecenter.models import HelpEvent

    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return
    HelpEvent.objects.create(
        visitor=visitor_key(user.pk), kind=kind, created_at=now or timezone.now()
    )


@dataclass
class HelpSession:
    visitor: str
    started_at: dt.datetime
    last_at: dt.datetime
    searches: int = 0
    articles: int = 0

    @property
    def ends_at(self) -> dt.datetime:
        return self.last_at + SESSION_GAP


def sessions(start: dt.datetime, end: dt.datetime) -> list[HelpSession]:
    """Help sessions that started in [start, end), built from the events (a session that
    started before `start` is left out whole, not cut)."""
    from resourcecenter.models import HelpEvent

    rows = (
        HelpEvent.objects.filter(
            created_at__gte=start - SESSION_GAP, created_at__lt=end + SESSION_GAP * 48
        )
        .order_by("visitor", "created_at")
        .values_list("visitor", "kind", "created_at")
    )
    found: list[HelpSession] = []
    current: HelpSession | None = None
    for visitor, kind, at in rows.iterator():
        if current is None or current.visitor != visitor or at - current.last_at > SESSION_GAP:
            current = HelpSession(visitor, at, at)
            found.append(current)
        current.last_at = at
        if kind == HelpEvent.SEARCH:
            current.searches += 1
        else:
            current.articles += 1
    return [s for s in found if start <= s.started_at < end]


def prune(now: dt.datetime | None = None) -> int:
    """Forget events older than `KEEP` (the dashboard looks back 90 days at most)."""
    from resourcecenter.models import HelpEvent

    deleted, _ = HelpEvent.objects.filter(created_at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted
