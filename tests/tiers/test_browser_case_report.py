"""Chromium: the org admin goes from the organisation page to last month's case report, reads
its charts (SVG with accessible text), picks another month and downloads the CSV; on a
desktop and at a phone's width, with axe checks and no console errors."""

from django.test import Client

import pytest

from tests.tiers.reports_data import backdate, last_month, make_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_the_admin_reads_and_downloads_the_case_report(
    request, live_server, viewport, org_a, org_a_admin, open_ticket
):
    page = request.getfixturevalue(viewport)
    backdate(org_a)
    start, _ = last_month(org_a)
    tickets = make_month(open_ticket, org_a, org_a_admin, start, count=6)
    _login(page, live_server, org_a_admin)
    page.goto(f"{live_server.url}/support/organisations/{org_a.slug}/")
    page.click("text=See this month's case report")
    assert page.locator("h1").inner_text().startswith("Case report")
    page.get_by_label("Month").select_option(f"{start:%Y-%m}")
    page.click("button:has-text('Show')")
    assert f"{len(tickets)} tickets opened" in page.locator("h2").first.inner_text()
    charts = page.locator("svg.report-chart")
    assert charts.count() == 3
    assert charts.first.get_attribute("aria-label").startswith("Tickets by severity.")
    box = charts.first.bounding_box()
    assert 200 < box["width"] <= page.viewport_size["width"]  # scales down on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    with page.expect_download() as download:
        page.click("text=Download as CSV")
    assert download.value.suggested_filename == f"case-report-{org_a.slug}-{start:%Y-%m}.csv"
    assert page.console_errors == []
