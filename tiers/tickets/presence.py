"""Who else has a ticket open, and who is typing on it: a short-lived note in the cache.

The workspace page records its viewer when it renders, and its script refreshes the note every
few seconds (and says when the analyst is typing). Entries not refreshed within `SEEN_SECONDS`
disappear, so a closed tab stops counting without any goodbye. Nothing is stored in the
database: a lost cache only means a missed notice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

SEEN_SECONDS = 40
TYPING_SECONDS = 10
POLL_SECONDS = 15


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    typing: bool

    def describe(self) -> str:
        return f"{self.name} is typing a reply" if self.typing else f"{self.name} has it open"


def _key(ticket_id: int) -> str:
    return f"tiers:presence:{ticket_id}"


def touch(ticket_id: int, user, *, typing: bool = False, now: float | None = None) -> list[Viewer]:
    """Record that `user` has the ticket open (typing or not); return the others."""
    now = time.time() if now is None else now
    entries = _fresh(cache.get(_key(ticket_id)) or {}, now)
    previous = entries.get(str(user.pk))
    typing_at = now if typing else (previous[1] if previous else 0)
    entries[str(user.pk)] = [user.public_name, typing_at, now]
    cache.set(_key(ticket_id), entries, SEEN_SECONDS + POLL_SECONDS)
    return _others(entries, user.pk, now)


def others(ticket_id: int, user, now: float | None = None) -> list[Viewer]:
    now = time.time() if now is None else now
    return _others(_fresh(cache.get(_key(ticket_id)) or {}, now), user.pk, now)


def _fresh(entries: dict, now: float) -> dict:
    return {
        uid: entry
        for uid, entry in entries.items()
        if isinstance(entry, list) and len(entry) == 3 and now - entry[2] <= SEEN_SECONDS
    }


def _others(entries: dict, user_id: int, now: float) -> list[Viewer]:
    return sorted(
        (
            Viewer(int(uid), name, now - typing_at <= TYPING_SECONDS)
            for uid, (name, typing_at, _seen) in entries.items()
            if uid != str(user_id)
        ),
        key=lambda viewer: viewer.name,
    )
