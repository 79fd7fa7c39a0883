"""The one rate limiter: fixed windows counted in the Django cache.

Why one: the forum's write limits, the Resource Center's feedback votes and the account pages'
resend-verification limit all answer the same question ("has this client done this too often
lately?"); one counter means one cache-key scheme, one eviction rule and one clock to fake in
tests. (allauth's own login/sign-up limits, ACCOUNT_RATE_LIMITS, are enforced inside allauth
and keep its counter; they read the same client address through resourcecenter.clientip.)

A *policy* is a name and its rates: (count, seconds) pairs, each "at most `count` attempts per
window of `seconds`". Windows are aligned to the clock (a window of an hour starts on the hour),
the counter lives in the cache (the database cache is shared by every web process) and expires
with its window. `consume(policy_name, key, rates)` counts one attempt against every rate and
answers with the seconds to wait (the longest when several are exceeded), or None when allowed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

Rate = tuple[int, int]  # (max attempts, window seconds)

KEY_PREFIX = "rl"


def _hit(policy_name: str, key: str, count: int, window: int, now: float) -> int | None:
    """Count one attempt in the current window; seconds to wait if over `count`, else None."""
    window_start = int(now // window) * window
    cache_key = f"{KEY_PREFIX}:{policy_name}:{key}:{window}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        current = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        current = 1
    if current > count:
        return int(window_start + window - now) + 1
    return None


def consume(
    policy_name: str, key: str, rates: Iterable[Rate], *, now: float | None = None
) -> int | None:
    """Count one attempt by `key` under `policy_name` against each rate.

    Returns None when every rate allows it, else the seconds until the strictest exceeded
    window ends. Every rate counts the attempt, allowed or not (a client hammering a closed
    door keeps it closed).
    """
    now = time.time() if now is None else now
    waits = [
        wait for count, window in rates if (wait := _hit(policy_name, key, count, window, now))
    ]
    return max(waits) if waits else None


@dataclass(frozen=True)
class Policy:
    """A named limit with fixed rates, e.g. Policy("kb.feedback", ((20, 3600),))."""

    name: str
    rates: tuple[Rate, ...]

    def consume(self, key: str, *, now: float | None = None) -> int | None:
        """Count one attempt by `key`; seconds to wait if over the limit, else None."""
        return consume(self.name, key, self.rates, now=now)


def human_wait(seconds: int) -> str:
    """A wait in words for refusal messages: "40 seconds", "5 minutes", "2 hours"."""
    seconds = max(1, int(seconds))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"
