"""Rate limits for the Community: per user and per IP, stricter for new members.

Why: a forum open to sign-ups attracts floods (spam scripts, angry bursts, vote rings). Every
write action is counted by the project's one limiter (resourcecenter.ratelimit: fixed windows in
the shared cache), per signed-in user and per client IP, and refused with a message that says
what happened and when to try again.

`check(request, action)` is what views call right before the write: it counts one attempt and
returns None when allowed, or the message to show. Limits are data (DEFAULT_LIMITS, overridable
with the FORUM_RATE_LIMITS setting, see forum.conf): for each action, per trust level, a list of
(count, seconds).
Moderators and support staff are never limited.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum import permissions as perms
from forum.conf import app_settings
from forum.models import TrustLevel
from resourcecenter import clientip, ratelimit, roles

MINUTE, HOUR, DAY = 60, 3600, 86400

# action -> {trust level (or "ip") -> [(max attempts, window seconds), ...]}
DEFAULT_LIMITS: dict[str, dict[str, list[tuple[int, int]]]] = {
    "post": {
        TrustLevel.NEW: [(3, 10 * MINUTE), (10, DAY)],
        TrustLevel.MEMBER: [(10, 10 * MINUTE), (60, DAY)],
        TrustLevel.TRUSTED: [(30, 10 * MINUTE), (300, DAY)],
        "ip": [(40, 10 * MINUTE)],
    },
    "edit": {
        TrustLevel.NEW: [(10, 10 * MINUTE)],
        TrustLevel.MEMBER: [(30, 10 * MINUTE)],
        TrustLevel.TRUSTED: [(60, 10 * MINUTE)],
        "ip": [(100, 10 * MINUTE)],
    },
    "flag": {
        TrustLevel.NEW: [(3, HOUR)],
        TrustLevel.MEMBER: [(10, HOUR)],
        TrustLevel.TRUSTED: [(30, HOUR)],
        "ip": [(50, HOUR)],
    },
    "vote": {
        TrustLevel.NEW: [(10, 10 * MINUTE), (50, DAY)],
        TrustLevel.MEMBER: [(30, 10 * MINUTE)],
        TrustLevel.TRUSTED: [(60, 10 * MINUTE)],
        "ip": [(120, 10 * MINUTE)],
    },
    "preview": {
        TrustLevel.NEW: [(60, 10 * MINUTE)],
        TrustLevel.MEMBER: [(120, 10 * MINUTE)],
        TrustLevel.TRUSTED: [(240, 10 * MINUTE)],
        "ip": [(300, 10 * MINUTE)],
    },
}

ACTION_WORDS = {
    "post": "posting",
    "edit": "editing",
    "flag": "flagging posts",
    "vote": "voting",
    "preview": "previewing",
}


def limits() -> dict[str, dict[str, list[tuple[int, int]]]]:
    override = app_settings.RATE_LIMITS
    merged = {action: dict(rules) for action, rules in DEFAULT_LIMITS.items()}
    for action, rules in override.items():
        merged.setdefault(action, {}).update(rules)
    return merged


@dataclass(frozen=True)
class Refusal:
    action: str
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        wait = ratelimit.human_wait(self.retry_after)
        word = ACTION_WORDS.get(self.action, self.action)
        return f"You are {word} too fast. Please wait {wait} and try again."


def client_ip(request) -> str:
    """The bucket of the request's client address (see resourcecenter.clientip: behind a
    reverse proxy it comes from the trusted header or X-Forwarded-For, IPv6 by /64)."""
    return clientip.rate_limit_key(clientip.client_ip(request))


def check_user(user, action: str, ip: str | None = None, *, now: float | None = None):
    """Count one `action` by `user` (and from `ip`); a Refusal if over any limit, else None."""
    if roles.is_moderator(user):
        return None
    rules = limits().get(action)
    if not rules:
        return None
    policy_name = f"forum.{action}"
    waits = []
    if perms.is_authenticated(user):
        level = perms.trust_level(user) or TrustLevel.NEW
        rates = rules.get(level, rules.get(TrustLevel.NEW, []))
        waits.append(ratelimit.consume(policy_name, f"u{user.pk}", rates, now=now))
    if ip:
        waits.append(ratelimit.consume(policy_name, f"ip{ip}", rules.get("ip", []), now=now))
    waits = [wait for wait in waits if wait]
    return Refusal(action, max(waits)) if waits else None


def check(request, action: str) -> str | None:
    """Views' entry point: None if `action` may go ahead now, else the message to show."""
    refusal = check_user(request.user, action, client_ip(request))
    return refusal.message if refusal else None
