"""The Wagtail (and Django) admin log in through allauth's login."""

import pytest

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_admin_redirects_anonymous_users_to_allauth_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_wagtail_login_page_redirects_to_allauth(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    assert client.get("/admin/login/")["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_wagtail_login_form_cannot_be_posted_to(client, superuser):
    response = client.post("/admin/login/", {"username": superuser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_django_admin_login_redirects_to_allauth(client):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response["Location"] == "/accounts/login/?next=%2Fdjango-admin%2F"


def test_offsite_next_is_dropped(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_password_reset_goes_to_allauth(client):
    response = client.get("/admin/password_reset/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/"


def test_django_admin_password_change_goes_to_allauth(client, superuser):
    client.force_login(superuser)
    response = client.get("/django-admin/password_change/")
    assert response["Location"] == "/accounts/password/change/"


def test_staff_lands_in_admin_after_login(client, superuser):
    response = client.post(
        "/accounts/login/", {"login": superuser.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_account_page_links_to_allauth_pages(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/account/").content.decode()
    for href in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"):
        assert f'href="{href}"' in html


def test_member_without_admin_access_is_refused(client, member):
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert not response["Location"].startswith("/admin/")
