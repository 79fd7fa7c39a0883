"""Chromium journey of issue 15's "incidents meet the product": staff declare a Severity 2
incident in the admin -> the status page shows it, the Infinity organisation and the status
subscribers are e-mailed (sent within the 30-minute target, recorded) -> the ask form and the
ticket form show the banner -> a customer attaches their case -> an update reaches the case
and its community thread -> resolved -> the postmortem is published and readable only on the
plans that include it. No console errors, axe-clean pages."""

import re

from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

import pytest

from tests.forum.factories import CategoryFactory, make_thread, set_trust
from tiers.apps import grant_support_staff
from tiers.incidents.models import Component, ProblemNotification, ServiceProblem, StatusSubscriber
from tiers.incidents.postmortems import save_postmortem
from tiers.tickets.promotion import promote_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Data sessions failing in Germany"


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _post_update(page, live_server, problem, text, status):
    page.goto(live_server.url + f"/admin/tiers/serviceproblem/edit/{problem.pk}/")
    page.fill("#id_update", text)
    page.select_option("#id_status", status)
    page.get_by_role("button", name="Save and send the update").click()
    page.wait_for_url(re.compile(r"/admin/tiers/serviceproblem/$"))


def test_incident_journey_in_chromium(
    live_server, page, org_a, org_a_admin, community_org, staff_user
):
    grant_support_staff(sender=None)
    Component.objects.create(name="Data service", slug="data", group="Connectivity")
    StatusSubscriber.objects.create(email="watcher@example.com", confirmed_at=timezone.now())
    category = CategoryFactory(name="APN & data", slug="apn-data")
    set_trust(org_a_admin)
    thread = make_thread(
        org_a_admin,
        category,
        title="No data in Germany since noon",
        body="Our trackers in Germany cannot open a data session since 12:00.",
    )
    ticket = promote_thread(thread=thread, by=org_a_admin, organisation=org_a).ticket
    mail.outbox.clear()

    # Staff declare the incident in the admin.
    _login(page, live_server, staff_user)
    page.goto(live_server.url + "/admin/tiers/serviceproblem/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "Attach requests are rejected on one partner network.")
    page.select_option("#id_severity", "2")
    page.select_option("#id_impact_class", "critical")
    page.get_by_label("Data service").first.check()
    page.get_by_role("button", name="Record and notify customers").click()
    page.wait_for_url(re.compile(r"/admin/tiers/serviceproblem/$"))
    problem = ServiceProblem.objects.get(title=TITLE)

    # The status page shows it; the Infinity admin and the subscriber were e-mailed in time.
    page.goto(live_server.url + "/status/")
    assert TITLE in page.inner_text("main")
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"admin-a@example.com", "watcher@example.com"} <= recipients
    assert "free@example.com" not in recipients  # Community: no proactive notices
    notice = ProblemNotification.objects.get(update__problem=problem, user=org_a_admin)
    assert notice.status == ProblemNotification.SENT
    assert notice.declared_at <= notice.sent_at <= notice.deadline_at
    page.goto(live_server.url + f"/admin/tiers/serviceproblem/edit/{problem.pk}/")
    assert "100.0%" in page.get_by_test_id("notice-attainment").inner_text()

    # The customer meets the banner on the ask form and the ticket form.
    _login(page, live_server, org_a_admin)
    for url in ("/community/ask/", "/support/tickets/new/"):
        page.goto(live_server.url + url)
        banner = page.get_by_test_id("incident-banner")
        assert TITLE in banner.inner_text(), url
        assert banner.get_by_role("link", name="Follow it by e-mail, feed or webhook").is_visible()

    # ... and attaches the case they already have instead of describing it again.
    page.goto(live_server.url + ticket.get_absolute_url())
    page.select_option("#link-incident", str(problem.pk))
    page.get_by_role("button", name="Attach this case to the incident").click()
    assert TITLE in page.get_by_test_id("ticket-incident").inner_text()

    # An update reaches the case (timeline and e-mail) and the thread (a public staff note).
    mail.outbox.clear()
    _login(page, live_server, staff_user)
    _post_update(
        page, live_server, problem, "A partner network rejects attach requests.", "identified"
    )
    assert any(
        ticket.case_number in message.subject and message.to == ["admin-a@example.com"]
        for message in mail.outbox
    )
    _login(page, live_server, org_a_admin)
    page.goto(live_server.url + ticket.get_absolute_url())
    assert "A partner network rejects attach requests." in page.inner_text(".tiers-timeline")
    page.goto(live_server.url + thread.get_absolute_url())
    assert "A partner network rejects attach requests." in page.inner_text("main")

    # Resolved, then the postmortem is published: Infinity reads it, Community does not.
    _login(page, live_server, staff_user)
    _post_update(page, live_server, problem, "Traffic is flowing again.", "resolved")
    # The analyst's draft, published from the incident's admin page (no update needed).
    save_postmortem(
        problem=problem,
        by=staff_user,
        postmortem=[
            {"type": "heading", "value": "Root cause"},
            {"type": "paragraph", "value": "<p>A firewall rule dropped attach requests.</p>"},
        ],
    )
    mail.outbox.clear()
    page.goto(live_server.url + f"/admin/tiers/serviceproblem/edit/{problem.pk}/")
    page.get_by_text("A firewall rule dropped attach requests.").first.wait_for()
    page.check("#id_publish_postmortem")
    page.get_by_role("button", name="Save and send the update").click()
    page.wait_for_url(re.compile(r"/admin/tiers/serviceproblem/$"))
    problem.refresh_from_db()
    assert problem.postmortem_is_published and mail.outbox == []
    page.goto(live_server.url + problem.get_status_url())
    page.get_by_test_id("postmortem-link").get_by_role("link").click()
    _login(page, live_server, org_a_admin)
    page.goto(live_server.url + problem.get_postmortem_url())
    assert (
        "A firewall rule dropped attach requests." in page.get_by_test_id("postmortem").inner_text()
    )
    _login(page, live_server, community_org.memberships.get().user)
    page.goto(live_server.url + problem.get_postmortem_url())
    assert "firewall rule" not in page.inner_text("main")
    assert "Infinity" in page.inner_text("main")
    assert page.console_errors == []
