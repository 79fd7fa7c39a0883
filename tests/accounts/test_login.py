"""Logging in by e-mail, logging out."""

import pytest

from tests.accounts.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_site_layout(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert '<label for="id_login">' in html and '<label for="id_password">' in html
    assert 'href="/accounts/password/reset/"' in html
    assert "style=" not in html


def test_login_by_email_redirects_home(client, member):
    response = login(client, "member@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.mark.postgres
def test_login_email_is_case_insensitive(client, member):
    response = login(client, "  MEMBER@Example.COM ")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_login_honours_a_safe_next_and_ignores_an_offsite_one(client, member):
    response = client.post(
        "/accounts/login/",
        {"login": member.email, "password": PASSWORD, "next": "/community/"},
    )
    assert response["Location"] == "/community/"
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"login": member.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_password_shows_an_error_tied_to_the_form(client, member):
    response = login(client, member.email, "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-errors" role="alert"' in html
    assert "not correct" in html
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_log_in(client, user_factory):
    user_factory(email="gone@example.com", is_active=False)
    response = login(client, "gone@example.com")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == "/accounts/inactive/"


def test_logout_requires_post(client, member):
    client.force_login(member)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200  # a confirmation page, GET does not log out
    assert "_auth_user_id" in client.session
    assert b'action="/accounts/logout/"' in page.content
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_header_shows_account_links(client, member):
    client.force_login(member)
    html = client.get("/accounts/profile/").content.decode()
    assert 'action="/accounts/logout/"' in html
    assert "Morgan" in html
