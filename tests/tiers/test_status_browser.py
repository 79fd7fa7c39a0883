"""Chromium smoke test of the public status page with the demo's year of history: the page,
its SVG uptime bars with their accessible text, an incident's timeline and the archive. No
console errors, no login."""

import re

from django.core.cache import caches

import pytest

from tiers.incidents import demo
from tiers.incidents.models import Component, ServiceProblem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


def test_status_page_in_chromium(live_server, page):
    _components, history = demo.load()
    assert history >= 25
    count = Component.objects.count()
    page.goto(live_server.url + "/status/")
    assert page.locator(".status-overall-text").inner_text() in {
        "All systems operational",
        "Maintenance in progress",
    }
    bars = page.locator("svg.status-bar")
    assert bars.count() == count
    assert page.locator("svg.status-bar").first.locator("rect").count() == 90
    label = bars.first.get_attribute("aria-label")
    assert re.fullmatch(r"Data service: \d+\.\d\d% uptime over the last 90 days", label)
    # The text equivalent opens like any <details>.
    details = page.locator(".status-component").first.locator("details")
    details.locator("summary").click()
    assert details.locator("li").count() >= 1
    box = bars.first.bounding_box()
    assert box["width"] > 300 and box["height"] >= 30
    # An incident's timeline, then the archive.
    newest = ServiceProblem.objects.filter(is_public=True).order_by("-started_at").first()
    page.goto(live_server.url + newest.get_status_url())
    assert page.locator("h1").inner_text() == newest.title
    assert page.locator(".status-timeline li").count() == 4
    page.click("text=Incident history")
    assert page.locator(".status-month").count() == 12
    assert page.locator(".status-incident").count() >= 20
    page.click("text=Subscribe to updates")
    assert page.locator("input[name='e-email']").is_visible()
    assert page.console_errors == []
