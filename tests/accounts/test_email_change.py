"""Changing e-mail: add an address, confirm it, make it primary."""

import pytest
from allauth.account.models import EmailAddress

from tests.accounts.conftest import last_mail_to, links_in, path_of

pytestmark = pytest.mark.django_db


def test_email_page_lists_addresses(client, member):
    client.force_login(member)
    response = client.get("/accounts/email/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "member@example.com" in html
    assert 'aria-current="page"' in html and "E-mail addresses" in html
    assert "style=" not in html


def test_add_verify_and_make_primary(client, post, member):
    client.force_login(member)
    response = post("/accounts/email/", {"email": "New@Example.com", "action_add": ""})
    assert response.status_code == 302
    added = EmailAddress.objects.get(user=member, email__iexact="new@example.com")
    assert not added.verified and not added.primary

    # An unverified address cannot become primary.
    post("/accounts/email/", {"email": added.email, "action_primary": ""})
    added.refresh_from_db()
    assert not added.primary

    message = last_mail_to(added.email)
    link = path_of(next(u for u in links_in(message) if "/accounts/confirm-email/" in u))
    assert post(link).status_code == 302
    added.refresh_from_db()
    assert added.verified

    response = post("/accounts/email/", {"email": added.email, "action_primary": ""})
    assert response.status_code == 302
    added.refresh_from_db()
    member.refresh_from_db()
    assert added.primary
    assert member.email == added.email.lower()
    assert not EmailAddress.objects.get(user=member, email="member@example.com").primary


def test_another_accounts_address_is_not_revealed_and_can_never_be_taken_over(
    client, post, member, user_factory
):
    other = user_factory(email="other@example.com")
    client.force_login(member)
    response = post("/accounts/email/", {"email": "other@example.com", "action_add": ""})
    # With enumeration prevention the page answers as for any new address...
    assert response.status_code == 302
    taken = EmailAddress.objects.get(user=member, email="other@example.com")
    # ...but the address stays unverified, cannot become primary, and its link cannot confirm it.
    assert not taken.verified
    post("/accounts/email/", {"email": "other@example.com", "action_primary": ""})
    member.refresh_from_db()
    assert member.email == "member@example.com"
    message = last_mail_to("other@example.com")
    for url in links_in(message):
        if "/accounts/confirm-email/" in url:
            post(path_of(url))
    taken.refresh_from_db()
    assert not taken.verified
    assert EmailAddress.objects.get(user=other, email="other@example.com").verified


def test_remove_secondary_address(client, post, member):
    EmailAddress.objects.create(user=member, email="old@example.com", verified=True)
    client.force_login(member)
    post("/accounts/email/", {"email": "old@example.com", "action_remove": ""})
    assert not EmailAddress.objects.filter(email="old@example.com").exists()


def test_invalid_address_shows_error(client, post, member):
    client.force_login(member)
    response = post("/accounts/email/", {"email": "nope", "action_add": ""})
    assert response.status_code == 200
    assert b"errorlist" in response.content
