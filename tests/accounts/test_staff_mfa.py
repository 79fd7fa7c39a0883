"""Staff must use an authenticator app when REQUIRE_STAFF_MFA is on (production)."""

import re
from io import StringIO

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

import pytest
from allauth.mfa.models import Authenticator

from resourcecenter.roles import ANALYSTS_GROUP
from tests.accounts.conftest import PASSWORD, last_mail_to, login, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
ENROL = "/accounts/2fa/enrol/"


def _code_in(message) -> str:
    return re.search(r"^(\d{6})$", message.body, re.MULTILINE).group(1)


def _with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@override_settings(REQUIRE_STAFF_MFA=True)
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/django-admin/", "/"])
def test_staff_without_totp_is_sent_to_enrol(client, superuser, path):
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROL
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("two-factor authentication" in t for t in texts)


@override_settings(REQUIRE_STAFF_MFA=True)
def test_is_staff_and_support_group_members_are_covered(client, staff_user, member):
    client.force_login(staff_user)
    assert client.get("/admin/")["Location"] == ENROL
    member.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    client.force_login(member)
    assert client.get("/community/")["Location"] == ENROL


@override_settings(REQUIRE_STAFF_MFA=True)
def test_unenrolled_staff_reach_only_enrolment_and_logout(client, superuser):
    """Until enrolled, a staff session reaches nothing else: not the profile, nor the pages
    where an intruder could add an address of their own or change the password."""
    client.force_login(superuser)
    for path in [
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ]:
        assert client.get(path)["Location"] == ENROL, path
    assert client.get(ENROL).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(REQUIRE_STAFF_MFA=True)
def test_password_alone_cannot_enrol_an_authenticator(client, superuser):
    """The takeover: log in with a stolen password, re-authenticate with it, scan your own QR
    code. Activation stays closed without the code that went to the owner's mailbox."""
    login(client, superuser.email)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    assert client.get(ACTIVATE)["Location"] == ENROL
    response = client.post(ACTIVATE, {"code": "123456"})
    assert response["Location"] == ENROL
    assert "mfa.totp.secret" not in client.session
    assert not Authenticator.objects.filter(user=superuser).exists()


@override_settings(REQUIRE_STAFF_MFA=False)
def test_enrolment_needs_the_code_even_when_not_required(client, staff_user):
    """Outside production staff need not enrol, but whoever enrols must still prove the mailbox."""
    login(client, staff_user.email)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get(ACTIVATE)["Location"] == ENROL


def test_members_enrol_without_an_email_code(client, member):
    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get(ACTIVATE).status_code == 200


@override_settings(REQUIRE_STAFF_MFA=True)
def test_wrong_codes_are_refused_and_the_code_dies_after_five(client, post, superuser):
    client.force_login(superuser)
    post(ENROL, {"action": "send"})
    code = _code_in(last_mail_to(superuser.email))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(ENROL, {"action": "verify", "code": wrong})
        assert response.status_code == 400
    # The right code no longer works either: five guesses used it up.
    assert client.post(ENROL, {"action": "verify", "code": code}).status_code == 400
    assert client.get(ACTIVATE)["Location"] == ENROL


@override_settings(REQUIRE_STAFF_MFA=True)
def test_codes_go_only_to_a_verified_primary_address(client, user_factory):
    unverified = user_factory(email="new-staff@example.com", is_staff=True, verified=False)
    unverified.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    client.force_login(unverified)
    response = client.get(ENROL)
    assert "Ask an administrator" in response.content.decode()
    client.post(ENROL, {"action": "send"})
    assert not [m for m in mail.outbox if unverified.email in m.to]


def test_code_sending_is_rate_limited(client, post, staff_user):
    client.force_login(staff_user)
    for _ in range(5):
        post(ENROL, {"action": "send"})
    assert len([m for m in mail.outbox if staff_user.email in m.to]) == 3


@override_settings(REQUIRE_STAFF_MFA=True)
def test_an_administrator_can_provision_the_authenticator(client, superuser):
    out = StringIO()
    call_command("mfa_provision", superuser.email, stdout=out)
    secret = re.search(r"Secret for \S+: (\w+)", out.getvalue()).group(1)
    assert "otpauth://totp/" in out.getvalue()
    response = login(client, superuser.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert (
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    )
    assert client.get("/admin/").status_code == 200
    with pytest.raises(CommandError, match="already has"):
        call_command("mfa_provision", superuser.email, stdout=StringIO())


@override_settings(REQUIRE_STAFF_MFA=True)
def test_staff_with_totp_gets_in(client, superuser):
    client.force_login(_with_totp(superuser))
    assert client.get("/admin/").status_code == 200


@override_settings(REQUIRE_STAFF_MFA=True)
def test_members_are_not_affected(client, member, home_page):
    client.force_login(member)
    assert client.get("/accounts/profile/").status_code == 200
    response = client.get("/")
    assert response.status_code != 302 or response["Location"] != ACTIVATE


@override_settings(REQUIRE_STAFF_MFA=False)
def test_off_by_default_outside_production(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200


@override_settings(REQUIRE_STAFF_MFA=True)
def test_anonymous_visitors_are_not_affected(client):
    assert client.get("/admin/")["Location"] == "/accounts/login/?next=/admin/"


# Only override_settings here: mixing it with pytest-django's `settings` fixture in one test
# restores them in the wrong order and leaks REQUIRE_STAFF_MFA into later tests.
@override_settings(REQUIRE_STAFF_MFA=True, MFA_TOTP_TOLERANCE=1)
def test_staff_enrols_end_to_end_then_reaches_the_admin(client, post, superuser):
    response = client.post(
        "/accounts/login/", {"login": superuser.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == ENROL
    # Proof from the mailbox first: a code e-mailed to the verified address.
    post(ENROL, {"action": "send"})
    code = _code_in(last_mail_to(superuser.email))
    assert client.post(ENROL, {"action": "verify", "code": code})["Location"] == ACTIVATE
    reauth = client.get(ACTIVATE)["Location"]
    assert reauth.startswith("/accounts/reauthenticate/")
    assert client.post(reauth, {"password": PASSWORD})["Location"] == ACTIVATE
    client.get(ACTIVATE)
    secret = client.session["mfa.totp.secret"]
    assert post(ACTIVATE, {"code": totp_code(secret)}).status_code == 302
    assert client.get("/admin/").status_code == 200

    # Logging in again now asks for the code before the admin opens.
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"login": superuser.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    done = post("/accounts/2fa/authenticate/", {"code": totp_code(secret, offset=1)})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(REQUIRE_STAFF_MFA=True)
def test_staff_cannot_switch_off_totp(client, superuser):
    _with_totp(superuser)
    client.force_login(superuser)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "must keep two-factor authentication on" in response.content.decode()
    assert Authenticator.objects.filter(user=superuser, type=Authenticator.Type.TOTP).exists()


@override_settings(REQUIRE_STAFF_MFA=True)
def test_members_can_switch_off_totp(client, member):
    _with_totp(member)
    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
