"""Helpers for the account flow tests: e-mail capture through the task queue, TOTP codes."""

import base64
import hashlib
import hmac
import re
import struct
import time

from django.core import mail
from django.core.cache import cache

import pytest

PASSWORD = "correct-horse-battery"  # noqa: S105


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counters and used TOTP codes in the cache: start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST with the client and run on-commit callbacks, so queued e-mail is delivered."""

    def _post(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return _post


def links_in(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", message.body)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def last_mail_to(address: str):
    matching = [m for m in mail.outbox if address in m.to]
    assert matching, f"no e-mail to {address} in {[m.to for m in mail.outbox]}"
    return matching[-1]


CODE_MARGIN_SECONDS = 8  # time a code must stay valid for the request that uses it


def totp_code(secret: str, offset: int = 0) -> str:
    """The 6-digit code an authenticator app shows now (RFC 6238, SHA-1, 30 s steps).

    Written from the RFC rather than borrowed from allauth, so the tests check that allauth
    accepts what a real authenticator app would show. Near the end of a 30-second step the code
    would expire before a slow (loaded) test server checks it, as a person would wait for the
    next code, the helper waits for the next step.
    """
    if offset == 0 and 30 - time.time() % 30 < CODE_MARGIN_SECONDS:
        time.sleep(30 - time.time() % 30 + 0.05)
    counter = int(time.time()) // 30 + offset
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


def login(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.fixture(autouse=True)
def _no_leaked_staff_mfa():
    """REQUIRE_STAFF_MFA must be off again after each test (it would break other suites)."""
    yield
    from django.conf import settings

    assert settings.REQUIRE_STAFF_MFA is False, "REQUIRE_STAFF_MFA leaked out of a test"


class Clock:
    """The throttle's clock, moved by hand (no sleeping in tests)."""

    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from resourcecenter import login_throttle

    fake = Clock()
    monkeypatch.setattr(login_throttle.time, "time", fake.time)
    return fake
