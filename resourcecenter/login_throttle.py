"""Password guessing is slowed per (account, address), never turned into a lock-out.

A fixed "five wrong passwords and the account is locked" rule lets anyone lock the real owner
out (staff too) by typing their address five times; a per-IP rule blocks everyone behind one
office or carrier NAT. Instead each failed password costs time, growing with the failures:

- per account *and* client address: the first FREE_PER_ADDRESS failures are free, then the
  next try must wait 1, 2, 4, ... seconds (up to MAX_DELAY). The owner at another address is
  not affected, and the owner can always sign in with a code sent by e-mail
  (ACCOUNT_LOGIN_BY_CODE_ENABLED), which no password guesser can use;
- per account from all addresses, with a much larger allowance (guessing spread over many
  addresses);
- per client address over all accounts, with a large allowance (one address spraying
  passwords over many accounts).

Each bucket remembers failures for WINDOW seconds after the last one. A successful password
clears the (account, address) bucket; a password reset clears every bucket of the account.
The counters live in the default cache (shared by all web processes in production).
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from resourcecenter import clientip

FREE_PER_ADDRESS = 5
FREE_PER_ACCOUNT = 50
FREE_PER_CLIENT = 200
MAX_DELAY = 15 * 60
WINDOW = 24 * 60 * 60
_PREFIX = "login-throttle"


@dataclass(frozen=True)
class Bucket:
    key: str
    free: int


def delay_after(failures: int, free: int) -> int:
    """Seconds the next try must wait after `failures` failures (0 while within `free`)."""
    if failures < free:
        return 0
    return min(2 ** (failures - free), MAX_DELAY)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _normalise(login: str) -> str:
    return (login or "").strip().lower()


def _generation_key(login: str) -> str:
    return f"{_PREFIX}:gen:{_digest(_normalise(login))}"


def _account_generation(login: str) -> int:
    # Bumped by a password reset: every bucket of the account starts again.
    return cache.get(_generation_key(login), 0)


def _buckets(request: HttpRequest, login: str) -> list[Bucket]:
    login = _normalise(login)
    account = f"{_digest(login)}:{_account_generation(login)}"
    address = _digest(clientip.rate_limit_key(clientip.client_ip(request)))
    return [
        Bucket(f"{_PREFIX}:pair:{account}:{address}", FREE_PER_ADDRESS),
        Bucket(f"{_PREFIX}:account:{account}", FREE_PER_ACCOUNT),
        Bucket(f"{_PREFIX}:client:{address}", FREE_PER_CLIENT),
    ]


def _state(bucket: Bucket) -> tuple[int, float]:
    failures, last = cache.get(bucket.key, (0, 0.0))
    return failures, last


def seconds_to_wait(request: HttpRequest, login: str) -> int:
    """How long this address must wait before trying a password for `login` again."""
    now = time.time()
    wait = 0.0
    for bucket in _buckets(request, login):
        failures, last = _state(bucket)
        wait = max(wait, last + delay_after(failures, bucket.free) - now)
    return max(0, math.ceil(wait))


def consume_attempt(request: HttpRequest, login: str) -> int:
    """Count a password attempt as failed before checking it, so parallel guesses cannot
    slip past the delay; `attempt_succeeded` takes it back. Returns the seconds still to wait
    (then nothing is counted and the password must not be checked)."""
    wait = seconds_to_wait(request, login)
    if wait:
        return wait
    now = time.time()
    for bucket in _buckets(request, login):
        failures, _last = _state(bucket)
        cache.set(bucket.key, (failures + 1, now), WINDOW)
    return 0


def attempt_succeeded(request: HttpRequest, login: str) -> None:
    """The password was right: this address starts afresh for this account, and the attempt
    no longer counts against the account or the address."""
    pair, *others = _buckets(request, login)
    cache.delete(pair.key)
    for bucket in others:
        failures, last = _state(bucket)
        if failures > 1:
            cache.set(bucket.key, (failures - 1, last), WINDOW)
        else:
            cache.delete(bucket.key)


def forget_account(login: str) -> None:
    """After a password reset (the owner proved the mailbox): clear every bucket of it."""
    cache.set(_generation_key(login), _account_generation(login) + 1, None)


def describe_wait(seconds: int) -> str:
    """ "1 second", "40 seconds", "2 minutes": for the message that asks to wait."""
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
