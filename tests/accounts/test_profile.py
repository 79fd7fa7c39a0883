"""The profile page: display name (unique, validated, sanitised) and links to account pages."""

import pytest
from allauth.mfa.models import Authenticator

from resourcecenter.models import User

pytestmark = pytest.mark.django_db


def test_profile_requires_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


def test_profile_shows_email_status_and_links(client, member, django_assert_max_num_queries):
    client.force_login(member)
    with django_assert_max_num_queries(15):
        response = client.get("/accounts/profile/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "member@example.com" in html and "Verified" in html
    for href in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"):
        assert f'href="{href}"' in html
    assert "Turn on two-factor authentication" in html
    assert 'aria-current="page"' in html
    assert "style=" not in html


def test_profile_shows_when_two_factor_is_on(client, member):
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(member)
    assert b"Manage two-factor authentication" in client.get("/accounts/profile/").content


def test_profile_saves_a_sanitised_display_name(client, member):
    client.force_login(member)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "  Modem\u200b   Whisperer ", "first_name": "Ana", "last_name": "Lee"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Modem Whisperer"
    assert (member.first_name, member.last_name) == ("Ana", "Lee")


@pytest.mark.postgres
def test_display_name_must_be_unique_case_insensitively(client, member, user_factory):
    user_factory(display_name="APN Guru")
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": "apn guru"})
    assert response.status_code == 400
    assert "That display name is taken" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Morgan"


def test_keeping_your_own_name_is_fine(client, member):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": "MORGAN"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "MORGAN"


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "a@b.example", "Moderator", "-dash", "x" * 41]
)
def test_bad_display_names_are_refused_with_errors_tied_to_the_field(client, member, name):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": name})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_display_name_error"' in html
    assert 'aria-describedby="id_display_name_helptext id_display_name_error"' in html
    assert "<script>alert" not in html
    assert User.objects.get(pk=member.pk).display_name == "Morgan"


def test_staff_may_use_a_reserved_name(client, staff_user):
    client.force_login(staff_user)
    assert client.post("/accounts/profile/", {"display_name": "Support"}).status_code == 302


def test_names_with_markup_are_refused(client, member):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": "Morgan", "first_name": "<b>"})
    assert response.status_code == 400


def test_display_name_cannot_be_removed(client, member):
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": " \u200b "})
    assert response.status_code == 400
    assert "Choose a display name" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Morgan"
