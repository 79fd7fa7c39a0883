"""Chromium journey (issue 13): the analyst goes from the admin queue to the oldest breaching
ticket, replies with a macro, adds an internal note, changes the severity and resolves it in the
workspace; the customer follows the e-mailed rating link and rates it; the rating shows in the
admin queue. axe checks every site page on the way; no console errors."""

import datetime as dt
import re

from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

import pytest

from resourcecenter.roles import ANALYSTS_GROUP
from tiers.models import Macro, SatisfactionRating, Ticket, TicketMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def settle(page):
    """Let the page's accessibility check finish before acting (leaving a page while axe runs
    makes axe log an error)."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.__axeDone !== undefined")
    page.evaluate("() => window.__axeDone")


@pytest.fixture
def analyst(user_factory):
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    user = user_factory(email="dana@example.com", display_name="Dana Analyst")
    user.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return user


@pytest.fixture
def breaching(org_a, org_a_member, org_a_admin, open_ticket):
    """Three open tickets; two breached, the older breach first in the queue."""
    now = timezone.now()
    fresh = open_ticket(org_a, org_a_admin, subject="Question about invoices")
    newer = open_ticket(org_a, org_a_admin, subject="SIMs not attaching in Lyon")
    oldest = open_ticket(org_a, org_a_member, subject="Trackers offline in Dallas")
    for ticket, hours in ((oldest, 5), (newer, 1)):
        Ticket.objects.filter(pk=ticket.pk).update(
            response_due_at=now - dt.timedelta(hours=hours),
            breached_at=now - dt.timedelta(hours=hours),
        )
    return oldest, newer, fresh


def test_analyst_works_a_breaching_ticket_and_the_customer_rates_it(
    live_server, page, analyst, breaching, org_a_member
):
    oldest, newer, _fresh = breaching
    Macro.objects.create(
        name="Ask for the modem log",
        body="Hello {customer_name}, please send the modem log for {case_number}.",
    )
    _login(page, live_server, analyst)

    # The admin queue: the oldest breach comes first.
    page.goto(live_server.url + "/admin/tiers/ticket/")
    rows = page.locator("table tbody tr")
    assert oldest.case_number in rows.nth(0).inner_text()
    assert "BREACHED" in rows.nth(0).inner_text()
    rows.nth(0).get_by_role("link", name=oldest.case_number).click()
    page.wait_for_url(re.compile(rf"/support/tickets/{oldest.case_number}/$"))
    settle(page)
    assert "Breached:" in page.get_by_test_id("sla-clock").inner_text()

    # A macro reply: the macro fills the composer, the analyst sends it.
    page.select_option("#id_macro", label="Ask for the modem log")
    expected = (
        f"Hello {org_a_member.public_name}, please send the modem log for {oldest.case_number}."
    )
    assert page.input_value("#id_body") == expected
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(re.compile(rf"/support/tickets/{oldest.case_number}/$"))
    settle(page)
    assert expected in page.inner_text("main")
    assert "Reply sent." in page.inner_text("body")

    # An internal note through the same composer.
    page.get_by_label("Internal note").check()
    page.fill("#id_body", "Customer's APN profile looks stale; check with the core team.")
    page.get_by_role("button", name="Add internal note").click()
    page.wait_for_url(re.compile(rf"/support/tickets/{oldest.case_number}/$"))
    settle(page)
    note = TicketMessage.objects.get(ticket=oldest, is_internal=True)
    assert "APN profile looks stale" in note.body

    # Severity, then resolve, from the side panel.
    page.select_option("#id_severity", "2")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf"/support/tickets/{oldest.case_number}/$"))
    settle(page)
    assert "Severity set to 2" in page.inner_text("main")
    page.select_option("#id_status", "resolved")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf"/support/tickets/{oldest.case_number}/$"))
    settle(page)
    oldest.refresh_from_db()
    assert (oldest.severity, oldest.status) == (2, "resolved")
    assert page.console_errors == []

    # The customer follows the e-mailed link for "5" (no login needed): one click records it.
    (survey,) = [m for m in mail.outbox if "How did we do?" in m.subject]
    link = re.search(r"5 - Very satisfied: (\S+)", survey.body).group(1)
    page.context.clear_cookies()
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link))
    recorded = page.get_by_test_id("survey-recorded")
    recorded.wait_for(timeout=10_000)
    settle(page)
    assert "5 of 5" in recorded.inner_text()
    page.fill("#survey-comment", "Fast and clear, thank you.")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Your comment:").wait_for()
    settle(page)
    rating = SatisfactionRating.objects.get(ticket=oldest)
    assert (rating.rating, rating.comment) == (5, "Fast and clear, thank you.")

    # The analyst sees the rating in the admin queue and on the ticket.
    _login(page, live_server, analyst)
    page.goto(live_server.url + "/admin/tiers/ticket/?status=resolved")
    row = page.locator("table tbody tr", has_text=oldest.case_number)
    assert "5/5" in row.inner_text()
    page.goto(live_server.url + oldest.get_absolute_url())
    settle(page)
    assert "5/5" in page.get_by_test_id("satisfaction").inner_text()
    assert page.console_errors == []
