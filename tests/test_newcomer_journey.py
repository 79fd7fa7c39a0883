"""Issue 2's browser journey: a newcomer reads a tutorial, copies code, signs up, verifies the
e-mail from the outbox, logs in and says the tutorial was helpful - with no console errors."""

import re

from django.core import mail

import pytest

from kb.models import ArticleFeedback, ArticlePage, ResourceIndexPage
from resourcecenter.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = 'AT+CGDCONT=1,"IP","iot.example"'
PASSWORD = "a-Long-and-unusual-passphrase-42"


@pytest.fixture
def tutorial(home_page):
    section = home_page.add_child(
        instance=ResourceIndexPage(title="Getting started", slug="getting-started")
    )
    article = section.add_child(
        instance=ArticlePage(
            title="Set the APN on a cellular module",
            slug="set-the-apn",
            kind=ArticlePage.Kind.TUTORIAL,
            summary="Configure the access point name with AT commands.",
            body=[
                ("heading", {"text": "Define the PDP context", "level": "h2", "anchor": ""}),
                ("code", {"language": "at", "filename": "modem.txt", "code": CODE}),
            ],
        )
    )
    article.save_revision().publish()
    return article


def _confirmation_link(email: str) -> str:
    for message in mail.outbox:
        if email in message.to:
            match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body)
            if match:
                return match.group(0)
    raise AssertionError(f"no confirmation e-mail for {email} in {len(mail.outbox)} messages")


def test_newcomer_reads_copies_signs_up_and_votes(live_server, page, tutorial):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    # Home page -> the tutorial.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=tutorial.title).first.click()
    page.wait_for_url(re.compile(r"/set-the-apn/$"))
    assert page.get_by_role("heading", level=1).inner_text() == tutorial.title
    assert page.locator("#define-the-pdp-context").count() == 1

    # Copy the code sample.
    page.locator("button.copy-code").first.click()
    page.get_by_role("button", name=re.compile("Cop")).first.wait_for()
    assert page.locator("button.copy-code.is-copied").count() == 1
    assert page.evaluate("navigator.clipboard.readText()").strip() == CODE

    # Sign up.
    email = "newcomer@example.net"
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert User.objects.filter(email=email).exists()

    # Verify the e-mail address from the outbox.
    link = _confirmation_link(email)
    page.goto(live_server.url + "/accounts/" + link.split("/accounts/", 1)[1])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert User.objects.get(email=email).emailaddress_set.get(email=email).verified

    # Log out (if confirmation logged us in), then log in with the new account.
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)

    # Vote "helpful" on the tutorial.
    page.goto(live_server.url + tutorial.url)
    page.locator("form.article-feedback button[value=yes]").click()
    page.locator("[data-feedback-status]").filter(has_text=re.compile(r"\w")).wait_for()
    feedback = ArticleFeedback.objects.get(page=tutorial)
    assert feedback.helpful is True
    assert feedback.user == User.objects.get(email=email)

    assert page.console_errors == []
