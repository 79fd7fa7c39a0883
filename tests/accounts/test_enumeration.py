"""No user enumeration: the answers for known and unknown addresses look the same."""

import re

from django.core import mail

import pytest

from resourcecenter.models import User
from tests.accounts.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def _normalise(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", html)


def test_password_reset_for_unknown_address_looks_the_same(client, post, member):
    known = post("/accounts/password/reset/", {"email": member.email}, follow=True)
    unknown = post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)
    done = [("/accounts/password/reset/done/", 302)]
    assert known.redirect_chain == unknown.redirect_chain == done
    assert _normalise(known.content.decode()) == _normalise(unknown.content.decode())
    # Each address gets a message; only the real account gets a reset link.
    to_known = [m for m in mail.outbox if m.to == [member.email]]
    to_unknown = [m for m in mail.outbox if m.to == ["nobody@example.com"]]
    assert len(to_known) == 1 and "/accounts/password/reset/key/" in to_known[0].body
    assert len(to_unknown) == 1 and "/accounts/password/reset/key/" not in to_unknown[0].body


@pytest.mark.postgres
def test_signup_with_existing_address_looks_like_a_new_signup(client, post, member):
    data = {"password1": PASSWORD, "password2": PASSWORD}
    existing = post("/accounts/signup/", {**data, "email": "MEMBER@example.com"}, follow=True)
    client.cookies.clear()
    fresh = post("/accounts/signup/", {**data, "email": "brand.new@example.com"}, follow=True)
    assert existing.redirect_chain == fresh.redirect_chain == [("/accounts/confirm-email/", 302)]
    assert b"already" not in existing.content
    # No second account; the owner is told someone tried to sign up with their address.
    assert User.objects.filter(email__iexact="member@example.com").count() == 1
    owner_mail = [m for m in mail.outbox if m.to == [member.email]]
    assert len(owner_mail) == 1
    assert "/accounts/confirm-email/" not in owner_mail[0].body


def test_login_error_is_the_same_for_unknown_address_and_wrong_password(client, member):
    unknown = login(client, "nobody@example.com", "whatever-password")
    wrong = login(client, member.email, "whatever-password")
    assert unknown.status_code == wrong.status_code == 200
    error = re.compile(r'<div class="form-errors" role="alert">(.*?)</div>', re.S)
    assert error.search(unknown.content.decode()).group(1) == error.search(
        wrong.content.decode()
    ).group(1)


def test_resend_verification_answers_the_same_for_any_address(client, post, user_factory):
    user_factory(email="waiting@example.com", verified=False)
    a = post("/accounts/verification/resend/", {"email": "waiting@example.com"})
    b = post("/accounts/verification/resend/", {"email": "nobody@example.com"})
    assert a.status_code == b.status_code == 302
    assert a["Location"] == b["Location"]
    assert [m.to for m in mail.outbox] == [["waiting@example.com"]]
