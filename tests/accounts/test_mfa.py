"""Two-factor authentication with an authenticator app (TOTP) and recovery codes."""

from django.core import mail

import pytest
from allauth.mfa.models import Authenticator

from tests.accounts.conftest import PASSWORD, login, totp_code
from tests.accounts.test_pages import assert_clean_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tolerate_clock_step(settings):
    # A code generated at the very end of a 30-second step is still accepted a moment later.
    settings.MFA_TOTP_TOLERANCE = 1


def open_activation(client, user):
    """Log in, go to activation, confirm the password when asked (allauth re-authenticates)."""
    assert login(client, user.email).status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/reauthenticate/")
    confirm = client.get(page["Location"])
    assert b'<label for="id_password">' in confirm.content
    done = client.post(page["Location"], {"password": PASSWORD})
    assert done["Location"] == "/accounts/2fa/totp/activate/"
    return client.get("/accounts/2fa/totp/activate/")


def activate_totp(client, post, user) -> str:
    """Activate TOTP like a person would; return the secret."""
    page = open_activation(client, user)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def test_activation_page_shows_qr_and_secret_without_inline_code(client, member):
    response = open_activation(client, member)
    assert_clean_page(response)
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="QR code to add this account to an authenticator app"' in html
    assert client.session["mfa.totp.secret"] in html  # typed-in fallback
    assert '<label for="id_code">' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_wrong_code_does_not_activate(client, post, member):
    open_activation(client, member)
    response = post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Authenticator.objects.filter(user=member).exists()


def test_activation_creates_totp_and_recovery_codes_and_notifies(client, post, member):
    activate_totp(client, post, member)
    types = set(Authenticator.objects.filter(user=member).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert any(m.to == [member.email] for m in mail.outbox)
    codes_page = client.get("/accounts/2fa/recovery-codes/")
    assert_clean_page(codes_page)
    rc = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    assert rc.wrap().get_unused_codes()[0] in codes_page.content.decode()


def test_login_then_asks_for_the_code(client, post, member):
    secret = activate_totp(client, post, member)
    client.post("/accounts/logout/")

    response = login(client, member.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/2fa/authenticate/")
    assert_clean_page(page)
    assert b'<label for="id_code">' in page.content

    wrong = post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    # A code already used (at activation) cannot be replayed; the next one works.
    ok = post("/accounts/2fa/authenticate/", {"code": totp_code(secret, offset=1)})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_totp_code_cannot_be_replayed(client, post, member):
    secret = activate_totp(client, post, member)
    code = totp_code(secret, offset=1)
    client.post("/accounts/logout/")
    login(client, member.email)
    assert post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    login(client, member.email)
    again = post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_recovery_code_logs_in_once(client, post, member):
    activate_totp(client, post, member)
    rc = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    code = rc.wrap().get_unused_codes()[0]
    client.post("/accounts/logout/")

    login(client, member.email)
    assert post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    rc.refresh_from_db()
    assert code not in rc.wrap().get_unused_codes()

    client.post("/accounts/logout/")
    login(client, member.email)
    reused = post("/accounts/2fa/authenticate/", {"code": code})
    assert reused.status_code == 200
    assert "_auth_user_id" not in client.session


def test_mfa_index_uses_the_account_layout(client, post, member):
    activate_totp(client, post, member)
    html = client.get("/accounts/2fa/").content.decode()
    assert 'aria-label="Account settings"' in html
    assert "Authentication using an authenticator app is active." in html
    assert "style=" not in html


def test_password_alone_is_not_enough_for_protected_account(client, post, member):
    activate_totp(client, post, member)
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert client.get("/accounts/profile/").status_code == 302
