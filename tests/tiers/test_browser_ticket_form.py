"""Browser check in Chromium: on the ticket form, choosing an organisation on another severity
scheme swaps the severity levels offered (tiers.js), and the ticket gets that plan's scheme.
No console errors."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest

from tiers import services
from tiers.models import Plan, Subscription, Ticket
from tiers.plans.seed import THREE_TIER_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_severity_levels_follow_the_chosen_organisation(
    live_server, page, make_org, org_a, org_a_admin
):
    call_command("tiers_load_plans", str(THREE_TIER_FILE), stdout=StringIO())
    business = make_org(name="Zeta Metering", region="eu", admin=org_a_admin)
    Subscription.objects.create(
        organisation=business,
        plan=Plan.objects.get(code="business"),
        current_period_start=timezone.now(),
        current_period_end=services.add_month(timezone.now()),
    )
    _login(page, live_server, org_a_admin)
    page.goto(live_server.url + "/support/tickets/new/")
    organisation = page.get_by_label("Organisation")
    organisation.select_option(str(org_a.pk))
    assert page.get_by_label("Severity 4 - question or request").is_visible()
    assert not page.get_by_label("Critical incident").is_visible()
    page.get_by_label("Severity 4 - question or request").check()
    organisation.select_option(str(business.pk))
    assert page.get_by_label("Critical incident").is_visible()
    assert not page.get_by_label("Severity 4 - question or request").is_visible()
    page.get_by_label("Subject").fill("Meters offline in Hamburg")
    page.get_by_label("Description").fill("No traffic since 03:00.")
    page.get_by_label("Operational incident").check()
    page.get_by_role("button", name="Open ticket").click()
    page.wait_for_url(re.compile(r"/support/tickets/BUS-\d{4}-\d{6}/$"))
    ticket = Ticket.objects.get()
    assert ticket.organisation == business and ticket.customer_severity == 2
    assert page.console_errors == []
