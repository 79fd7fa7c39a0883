"""A newcomer signs up, confirms the e-mail and logs in, in Chromium, under the site's CSP."""

import re

from django.core import mail

import pytest

from resourcecenter.models import User
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_signup_verify_login_in_browser(live_server, page, home_page, transactional_db):
    csp_violations = []

    def on_console(msg):
        if "Content Security Policy" in msg.text:
            csp_violations.append(msg.text)

    page.on("console", on_console)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("E-mail").fill("newcomer@example.com")
    page.get_by_label("Display name").fill("Newcomer")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert page.get_by_text("You need to confirm your e-mail address").is_visible()

    # Logging in before confirming is refused with the same explanation.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("newcomer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    message = next(m for m in mail.outbox if m.to == ["newcomer@example.com"])
    link = re.search(r"https?://\S+/accounts/confirm-email/[^/\s]+/", message.body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    user = User.objects.get(email="newcomer@example.com")
    assert user.emailaddress_set.get().verified
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION only applies in the browser session that signed up;
    # log in explicitly if needed.
    if not page.get_by_role("link", name="Newcomer").count():
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail").fill("NEWCOMER@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Newcomer").is_visible()
    page.goto(f"{live_server.url}/accounts/profile/")
    assert page.get_by_text("newcomer@example.com").first.is_visible()
    assert csp_violations == []
    assert page.console_errors == []
