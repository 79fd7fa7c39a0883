"""allauth's rate limits are on (they need the cache; tests use locmem)."""

import re

import pytest

from tests.accounts.conftest import PASSWORD, last_mail_to, links_in, login, path_of

pytestmark = pytest.mark.django_db


def _login_from(client, address, email, password=PASSWORD):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_wrong_passwords_slow_the_guessing_address_progressively(client, member, clock):
    for _ in range(5):
        response = _login_from(client, "203.0.113.9", member.email, "wrong-password")
        assert b"Too many failed attempts" not in response.content
    # From the sixth try on, each one waits longer: 1 s, 2 s, 4 s, ...
    for wait in (1, 2, 4, 8):
        blocked = _login_from(client, "203.0.113.9", member.email, PASSWORD)
        assert b"Too many failed attempts from here" in blocked.content
        assert "_auth_user_id" not in client.session
        assert f"{wait} second".encode() in blocked.content
        clock.now += wait
        _login_from(client, "203.0.113.9", member.email, "wrong-password")
    # The delay is capped (15 minutes), and a right password after the wait gets in.
    for _ in range(20):
        clock.now += 15 * 60
        _login_from(client, "203.0.113.9", member.email, "wrong-password")
    assert b"15 minutes" in _login_from(client, "203.0.113.9", member.email, PASSWORD).content
    clock.now += 15 * 60
    assert _login_from(client, "203.0.113.9", member.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("account", ["member", "superuser"])
def test_guessing_elsewhere_never_locks_the_owner_out(client, request, account, clock):
    """Five wrong passwords used to lock the account (staff too) for everyone."""
    user = request.getfixturevalue(account)
    for _ in range(12):
        _login_from(client, "198.51.100.7", user.email, "wrong-password")
    response = _login_from(client, "203.0.113.50", user.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_people_behind_one_address_are_not_blocked_by_one_guesser(
    client, member, user_factory, clock
):
    colleague = user_factory(email="colleague@example.com")
    for _ in range(12):
        _login_from(client, "192.0.2.1", member.email, "wrong-password")
    response = _login_from(client, "192.0.2.1", colleague.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_the_owner_signs_in_with_an_emailed_code_while_slowed(client, post, member, clock):
    for _ in range(12):
        _login_from(client, "127.0.0.1", member.email, "wrong-password")
    assert b"Too many failed attempts" in _login_from(client, "127.0.0.1", member.email).content
    assert b"/accounts/login/code/" in client.get("/accounts/login/").content
    assert post("/accounts/login/code/", {"email": member.email}).status_code == 302
    message = last_mail_to(member.email)
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)
    assert post("/accounts/login/code/confirm/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_password_reset_clears_the_delay(client, post, member, clock):
    for _ in range(12):
        _login_from(client, "127.0.0.1", member.email, "wrong-password")
    post("/accounts/password/reset/", {"email": member.email})
    link = path_of(links_in(last_mail_to(member.email))[0])
    form_url = client.get(link)["Location"]
    new = "a-new-long-passphrase-7"
    assert post(form_url, {"password1": new, "password2": new}).status_code == 302
    assert _login_from(client, "127.0.0.1", member.email, new).status_code == 302


def test_failed_logins_for_one_account_do_not_block_another(client, member, user_factory):
    other = user_factory(email="other@example.com")
    for _ in range(6):
        login(client, member.email, "wrong-password")
    response = login(client, other.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_password_reset_requests_are_rate_limited(client, post, member):
    statuses = [
        post("/accounts/password/reset/", {"email": member.email}).status_code for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    page = post("/accounts/password/reset/", {"email": member.email})
    assert page.status_code == 429
    assert b"Too many attempts" in page.content
    assert b'class="site-header"' in page.content


def test_signups_are_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for n in range(2):
        response = client.post(
            "/accounts/signup/",
            {"email": f"p{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302
        client.cookies.clear()
    limited = client.post(
        "/accounts/signup/",
        {"email": "p9@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert limited.status_code == 429


def test_repeated_wrong_two_factor_codes_are_rate_limited(client, member):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    from tests.accounts.conftest import totp_code

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    Authenticator.objects.create(
        user=member, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    assert login(client, member.email)["Location"] == "/accounts/2fa/authenticate/"
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    limited = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert limited.status_code == 200
    assert b"Too many failed login attempts" in limited.content
    assert "_auth_user_id" not in client.session
