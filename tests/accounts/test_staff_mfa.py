"""Staff must use an authenticator app when REQUIRE_STAFF_MFA is on (production)."""

from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import override_settings

import pytest
from allauth.mfa.models import Authenticator

from resourcecenter.roles import SUPPORT_STAFF_GROUP

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
    member.groups.add(Group.objects.get_or_create(name=SUPPORT_STAFF_GROUP)[0])
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
