"""Browser journey in Chromium: an Infinity customer escalates their thread, sees the case
number and due time, staff reply, the customer sees it; a Community user sees the upgrade path
instead. No console errors anywhere."""

import io
import re

from django.test import Client

import pytest

from tests.forum.factories import CategoryFactory, make_thread, set_trust
from tiers import services
from tiers.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def threads(org_a, org_a_admin, community_org):
    category = CategoryFactory(name="APN & data", slug="apn-data")
    set_trust(org_a_admin)
    infinity_thread = make_thread(
        org_a_admin,
        category,
        title="Fleet loses data sessions every hour",
        body="Our trackers drop their PDP context every 60 minutes.",
    )
    community_user = community_org.memberships.get().user
    set_trust(community_user)
    community_thread = make_thread(
        community_user,
        category,
        title="Sensor cannot attach after SIM swap",
        body="After swapping the SIM the sensor never attaches.",
    )
    return infinity_thread, community_thread, community_user


def test_infinity_customer_escalates_and_community_user_sees_upgrade(
    live_server, page, threads, org_a_admin, staff_user
):
    infinity_thread, community_thread, community_user = threads

    _login(page, live_server, org_a_admin)
    page.goto(live_server.url + infinity_thread.get_absolute_url())
    escalate = page.get_by_role("link", name="Escalate to a private ticket")
    escalate.click()
    page.get_by_role("button", name="Escalate to a private ticket").click()
    page.wait_for_url(re.compile(r"/support/tickets/INF-\d{4}-\d{6}/$"))
    ticket = Ticket.objects.get(thread=infinity_thread)
    assert page.get_by_test_id("case-number").inner_text() == ticket.case_number
    due = page.get_by_test_id("response-due")
    assert "Response due by" in due.inner_text()
    # tiers.js rewrote the server's UTC rendering into the browser's local format.
    assert due.locator("time").get_attribute("title")
    assert "Fleet loses data sessions every hour" in page.inner_text("h1")

    # The thread now carries a public note and points the author to the ticket.
    page.goto(live_server.url + infinity_thread.get_absolute_url())
    assert "escalated to a private support ticket" in page.inner_text("main")
    assert ticket.case_number not in page.inner_text("main").replace(
        f"View your ticket {ticket.case_number}", ""
    )

    services.add_reply(
        ticket=ticket, author=staff_user, body="We found a timer on the APN profile; fixing it."
    )
    page.goto(live_server.url + ticket.get_absolute_url())
    assert "We found a timer on the APN profile" in page.inner_text("main")
    assert "An analyst responded" in page.inner_text("main")

    _login(page, live_server, community_user)
    page.goto(live_server.url + community_thread.get_absolute_url())
    upgrade = page.get_by_role("link", name="Get private help with Infinity")
    assert upgrade.is_visible()
    upgrade.click()
    page.wait_for_url(re.compile(r"/support/plans/"))
    text = page.inner_text("main")
    assert "Sensor cannot attach after SIM swap" in text
    assert "Infinity" in text and "Within 5 minutes" in text
    assert page.get_by_role("link", name=re.compile("Get Infinity for")).is_visible()
    assert page.console_errors == []


def test_ticket_form_suggests_answers_while_typing(live_server, page, threads, org_a_admin):
    infinity_thread = threads[0]
    from forum.services import accept_answer
    from tests.forum.factories import make_reply

    helper = type(org_a_admin).objects.create_user(email="helper@example.com", password="x")
    set_trust(helper)
    answer = make_reply(helper, infinity_thread, body="Raise the idle timeout of the APN.")
    accept_answer(thread=infinity_thread, post=answer, by=org_a_admin)
    from django.core.management import call_command

    call_command("search_reindex", stdout=io.StringIO())

    _login(page, live_server, org_a_admin)
    page.goto(live_server.url + "/support/tickets/new/")
    page.fill("#id_subject", "data sessions every hour")
    box = page.locator("#ticket-suggestions")
    box.wait_for(state="visible", timeout=10_000)
    assert "Fleet loses data sessions every hour" in box.inner_text()
    assert "solved" in box.inner_text()
    assert page.console_errors == []
