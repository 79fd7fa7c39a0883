"""Password reset by e-mailed link (allauth's "from key" flow)."""

from django.core import mail

import pytest

from resourcecenter.models import User
from tests.accounts.conftest import last_mail_to, links_in, login, path_of

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"  # noqa: S105


def _reset_link(post, email):
    response = post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    message = last_mail_to(email.lower())
    urls = [u for u in links_in(message) if "/accounts/password/reset/key/" in u]
    assert len(urls) == 1
    return path_of(urls[0])


def test_reset_page_renders(client):
    response = client.get("/accounts/password/reset/")
    assert response.status_code == 200
    assert b'<label for="id_email">' in response.content


def test_full_reset_flow(client, post, member):
    link = _reset_link(post, "Member@Example.com")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    assert b'name="password1"' in form_page.content
    done = post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/key/done/"
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    # The owner is told their password changed (through the task queue too).
    assert any("password" in m.subject.lower() for m in mail.outbox[1:])

    client.logout()
    assert login(client, member.email, NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_reset_link_works_once(client, post, member):
    link = _reset_link(post, member.email)
    page = client.get(link, follow=True)
    set_url = page.redirect_chain[-1][0]
    post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    again = client.get(link, follow=True)
    assert b"Bad Token" in again.content or b"invalid" in again.content


def test_mismatched_passwords_are_refused(client, post, member):
    link = _reset_link(post, member.email)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)


def test_tampered_key_is_refused(client):
    response = client.get("/accounts/password/reset/key/1-set-password-nope/", follow=True)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert b'name="password1"' not in response.content
