"""allauth's rate limits are on (they need the cache; tests use locmem)."""

import pytest

from tests.accounts.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_are_rate_limited(client, member):
    for _ in range(5):
        response = login(client, member.email, "wrong-password")
        assert b"Too many failed login attempts" not in response.content
    blocked = login(client, member.email, "wrong-password")
    assert b"Too many failed login attempts" in blocked.content
    # While limited, even the right password is refused.
    right = login(client, member.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in right.content


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
