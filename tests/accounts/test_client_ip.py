"""The client IP behind reverse proxies (resourcecenter.clientip), for allauth and the forum.

Off by default (REMOTE_ADDR, headers ignored); with ALLAUTH_TRUSTED_PROXY_COUNT the address the
nearest trusted proxy saw is used and client-written X-Forwarded-For entries are ignored; with
ALLAUTH_TRUSTED_CLIENT_IP_HEADER that header wins. Production reads both from the environment.
"""

from django.test import RequestFactory, override_settings

import pytest

from resourcecenter.adapters import AccountAdapter
from resourcecenter.clientip import clean_ip, client_ip, rate_limit_key
from tests.test_settings_production import refuses, run

PROXY = "10.0.0.5"


def request_with(xff=None, remote=PROXY, **headers):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    for name, value in headers.items():
        meta[f"HTTP_{name.upper()}"] = value
    return RequestFactory().get("/", **meta)


def failed_login(client, email, xff):
    data = {"login": email, "password": "wrong-password"}
    return client.post("/accounts/login/", data, HTTP_X_FORWARDED_FOR=xff)


def test_default_ignores_forwarding_headers():
    request = request_with("198.51.100.7", X_REAL_IP="198.51.100.8")
    assert client_ip(request) == PROXY


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_proxy_takes_the_entry_it_appended_and_ignores_spoofed_ones():
    assert client_ip(request_with("203.0.113.9")) == "203.0.113.9"
    # The client sent its own X-Forwarded-For; our proxy appended the real address.
    spoofed = request_with("1.1.1.1, 8.8.8.8,203.0.113.9")
    assert client_ip(spoofed) == "203.0.113.9"
    # Without the header (a request that did not pass the proxy): the connecting address.
    assert client_ip(request_with()) == PROXY


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_two_proxies_count_from_the_right():
    # client -> CDN (writes "client") -> nginx (appends the CDN's address) -> app
    assert client_ip(request_with("6.6.6.6, 203.0.113.9, 192.0.2.10")) == "203.0.113.9"
    # Fewer entries than proxies never raises (allauth's own reader would): leftmost entry.
    assert client_ip(request_with("203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    "xff",
    ["not-an-ip", "203.0.113.9, <script>", "1.2.3.4, ", "203.0.113.9, 999.1.1.1", "a" * 300],
)
def test_garbage_in_the_trusted_position_falls_back_to_the_connecting_address(xff):
    assert client_ip(request_with(xff)) == PROXY


@override_settings(ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_trusted_header_wins_and_x_forwarded_for_is_ignored():
    request = request_with("6.6.6.6", X_REAL_IP="203.0.113.20")
    assert client_ip(request) == "203.0.113.20"
    assert client_ip(request_with("6.6.6.6", X_REAL_IP="bogus")) == PROXY
    assert client_ip(request_with("6.6.6.6")) == PROXY


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_ip(raw, clean):
    assert clean_ip(raw) == clean


def test_ipv6_clients_share_a_bucket_per_64():
    assert rate_limit_key("2001:db8:1:2:aaaa::1") == rate_limit_key("2001:db8:1:2:bbbb::9")
    assert rate_limit_key("2001:db8:1:2::1") != rate_limit_key("2001:db8:1:3::1")
    assert rate_limit_key("203.0.113.9") == "203.0.113.9"
    assert rate_limit_key(None) == "unknown"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_allauth_uses_the_same_address():
    adapter = AccountAdapter()
    assert adapter.get_client_ip(request_with("9.9.9.9, 203.0.113.9")) == "203.0.113.9"


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_login_throttle_counts_clients_behind_the_proxy_separately(client, member, clock):
    def attempt(xff):
        return failed_login(client, member.email, xff)

    for _ in range(5):
        assert b"Too many failed attempts" not in attempt("203.0.113.1").content
    # The same client, now also sending a made-up X-Forwarded-For: still the same bucket.
    assert b"Too many failed attempts" in attempt("7.7.7.7, 203.0.113.1").content
    # Another visitor behind the same proxy is not slowed.
    assert b"Too many failed attempts" not in attempt("203.0.113.2").content


@pytest.mark.django_db
def test_without_the_setting_spoofing_does_not_escape_the_throttle(client, member, clock):
    for n in range(5):
        failed_login(client, member.email, f"203.0.113.{n}")
    blocked = failed_login(client, member.email, "203.0.113.99")
    assert b"Too many failed attempts" in blocked.content


def _proxy_settings(env):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    result = run(code, env)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_production_reads_the_proxy_settings_from_the_environment():
    assert _proxy_settings({}) == "0 None"
    assert _proxy_settings({"TRUSTED_PROXY_COUNT": "2"}) == "2 None"
    assert _proxy_settings({"TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}) == "0 X-Real-IP"
    assert "TRUSTED_PROXY_COUNT" in refuses({"TRUSTED_PROXY_COUNT": "two"})
    assert "only one" in refuses({"TRUSTED_PROXY_COUNT": "1", "TRUSTED_CLIENT_IP_HEADER": "X"})
