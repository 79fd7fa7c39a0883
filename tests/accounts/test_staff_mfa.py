"""Staff must use an authenticator app when REQUIRE_STAFF_MFA is on (production)."""

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import override_settings

import pytest
from allauth.mfa.models import Authenticator

from resourcecenter.roles import ANALYSTS_GROUP
from tests.accounts.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def _with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@override_settings(REQUIRE_STAFF_MFA=True)
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/django-admin/", "/"])
def test_staff_without_totp_is_sent_to_activation(client, superuser, path):
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("two-factor authentication" in t for t in texts)


@override_settings(REQUIRE_STAFF_MFA=True)
def test_is_staff_and_support_group_members_are_covered(client, staff_user, member):
    client.force_login(staff_user)
    assert client.get("/admin/")["Location"] == ACTIVATE
    member.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    client.force_login(member)
    assert client.get("/community/")["Location"] == ACTIVATE


@override_settings(REQUIRE_STAFF_MFA=True)
def test_account_pages_stay_reachable_to_enrol_and_log_out(client, superuser):
    client.force_login(superuser)
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    # Activation asks to re-authenticate first (a forced login has no recent password entry).
    activation = client.get(ACTIVATE)
    assert activation.status_code in (200, 302)
    if activation.status_code == 302:
        assert activation["Location"].startswith("/accounts/")
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


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
    assert client.get("/admin/")["Location"] == ACTIVATE
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
