"""Sign-up with mandatory e-mail verification."""

from django.core import mail

import pytest
from allauth.account.models import EmailAddress

from resourcecenter.models import User
from tests.accounts.conftest import PASSWORD, last_mail_to, links_in, login, path_of

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "New.Person@Example.com", "password1": PASSWORD, "password2": PASSWORD}


def test_signup_page_uses_site_layout_and_labels_every_field(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html  # our base.html, not allauth's bare layout
    assert "accounts.css" in html
    for name in ("email", "password1", "password2", "display_name"):
        assert f'name="{name}"' in html
        assert f'<label for="id_{name}">' in html
    assert "style=" not in html
    assert "<script>" not in html


@pytest.mark.postgres
def test_signup_sends_verification_email_and_link_confirms(client, post):
    response = post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.person@example.com")
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert address.primary

    message = last_mail_to("new.person@example.com")
    assert message.subject.startswith("[Resource Center] ")
    confirm = [u for u in links_in(message) if "/accounts/confirm-email/" in u]
    assert len(confirm) == 1
    confirm_path = path_of(confirm[0])

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b'type="submit"' in page.content and b"Confirm" in page.content
    done = post(confirm_path)
    assert done.status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_verification_sent_page_explains_and_offers_resend(client, post):
    response = post("/accounts/signup/", SIGNUP, follow=True)
    html = response.content.decode()
    assert "You need to confirm your e-mail address before you can log in." in html
    assert 'action="/accounts/verification/resend/"' in html
    # The resend form is prefilled with the address just typed.
    assert 'value="New.Person@Example.com"' in html


def test_login_before_verification_is_refused_with_clear_message(client, post):
    post("/accounts/signup/", SIGNUP)
    client.logout()
    response = login(client, "new.person@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert b"You need to confirm your e-mail address before you can log in." in page.content


def test_resend_sends_a_new_link_after_cooldown(client, post, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": "10/m/key"}
    post("/accounts/signup/", SIGNUP)
    sent_before = len(mail.outbox)
    response = post("/accounts/verification/resend/", {"email": "new.person@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == sent_before + 1
    assert "/accounts/confirm-email/" in last_mail_to("new.person@example.com").body


def test_resend_within_cooldown_sends_nothing_but_answers_the_same(client, post):
    post("/accounts/signup/", SIGNUP)
    sent_before = len(mail.outbox)
    response = post("/accounts/verification/resend/", {"email": "new.person@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == sent_before


def test_resend_rejects_a_malformed_address(client, post):
    response = post("/accounts/verification/resend/", {"email": "not-an-address"})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert b'aria-invalid="true"' in response.content


def test_signup_without_display_name_gets_a_neutral_one(client, post):
    post("/accounts/signup/", SIGNUP)
    user = User.objects.get(email="new.person@example.com")
    assert user.display_name.startswith("Member ")
    assert "new.person" not in user.public_name


def test_signup_with_display_name_sets_it(client, post):
    post("/accounts/signup/", {**SIGNUP, "display_name": "  Sim   Wrangler "})
    assert User.objects.get(email="new.person@example.com").display_name == "Sim Wrangler"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("<b>x</b>", "Use letters, digits, spaces"),
        ("me@example.com", "cannot be an e-mail address"),
        ("Support", "reserved"),
        ("x", "at least 2"),
        ("y" * 41, "at most 40"),
    ],
)
def test_signup_rejects_bad_display_names(client, post, name, error):
    response = post("/accounts/signup/", {**SIGNUP, "display_name": name})
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'aria-describedby="id_display_name_helptext id_display_name_error"' in html
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_signup_rejects_a_display_name_taken_in_other_case(client, post, user_factory):
    user_factory(display_name="Sim Wrangler")
    response = post("/accounts/signup/", {**SIGNUP, "display_name": "sim wrangler"})
    assert "That display name is taken" in response.content.decode()


def test_signup_password_errors_are_shown(client, post):
    response = post(
        "/accounts/signup/", {"email": "a@example.com", "password1": "123", "password2": "124"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="a@example.com").exists()
    assert b"errorlist" in response.content


def test_signup_email_goes_through_the_task_queue(client):
    # Without running on-commit callbacks nothing is sent: mail is queued after the commit.
    client.post("/accounts/signup/", SIGNUP)
    assert mail.outbox == []


def test_account_email_is_a_queued_task_with_the_database_backend(client, post, settings):
    """In production a worker sends account e-mail: the request only enqueues it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    post("/accounts/signup/", SIGNUP)
    assert mail.outbox == []
    task = DBTaskResult.objects.get()
    assert task.task_path == "resourcecenter.emails.send_email_task"
    kwargs = task.args_kwargs["kwargs"]
    assert kwargs["to"] == ["new.person@example.com"]
    assert kwargs["subject"] == "[Resource Center] Confirm your e-mail address"
    assert "/accounts/confirm-email/" in kwargs["text"]


def test_queued_email_commits_and_rolls_back_with_the_change(db, settings):
    """With the database queue the e-mail task is written in the change's own transaction: no
    crash between the commit and a separate enqueue can lose it, and a rollback takes it away."""
    from django.db import transaction

    from django_tasks_db.models import DBTaskResult

    from resourcecenter.emails import queue_email

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        queue_email(["gone@example.com"], "Never sent", "Rolled back.")
        assert DBTaskResult.objects.count() == 1  # inside the transaction, before any commit
        raise Abort
    assert not DBTaskResult.objects.exists()

    with transaction.atomic():
        queue_email(["kept@example.com"], "Your ticket", "Committed.")
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"]["to"] == ["kept@example.com"]
