"""Issue 14, "Phones": the main pages fit a 390 px screen, the header folds into a menu button
that works from the keyboard, and the type-ahead list opens below the search field.

Runs on the demo site as a paying customer (member@example.com of Northwind Telematics);
every page is also checked by axe-core (tests/conftest.py).
"""

import io

from django.core.management import call_command
from django.test import Client

import pytest

from forum.models import Thread, ThreadState
from kb.models import ArticlePage
from resourcecenter.models import User
from tiers.models import Membership, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    from wagtail.models import Collection

    # A transactional test before this one flushed the root collection its migration made.
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    customer = User.objects.get(email="member@example.com")
    membership = Membership.objects.filter(user=customer).select_related("organisation").first()
    return {
        "customer": customer,
        "article": ArticlePage.objects.live().public().first().url,
        "thread": Thread.objects.filter(moderation_state=ThreadState.VISIBLE)
        .order_by("-reply_count")
        .first()
        .get_absolute_url(),
        "ticket": Ticket.objects.filter(organisation=membership.organisation)
        .first()
        .get_absolute_url(),
        "organisation": membership.organisation.get_absolute_url(),
    }


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_main_pages_fit_a_phone(live_server, phone_page, demo):
    anonymous_pages = ["/accounts/login/"]
    customer_pages = [
        "/",
        demo["article"],
        "/search/?q=apn",
        "/community/",
        demo["thread"],
        "/community/ask/",
        "/support/tickets/",
        demo["ticket"],
        demo["organisation"],
    ]
    too_wide = {}
    for path in anonymous_pages:
        phone_page.goto(live_server.url + path)
        if _overflow(phone_page) > WIDTH:
            too_wide[path] = _overflow(phone_page)
    _sign_in(phone_page, live_server, demo["customer"])
    for path in customer_pages:
        response = phone_page.goto(live_server.url + path)
        assert response.status == 200, path
        phone_page.wait_for_load_state("load")
        if _overflow(phone_page) > WIDTH:
            too_wide[path] = _overflow(phone_page)
    assert too_wide == {}
    # Search did find something (a page of results is what must fit).
    phone_page.goto(live_server.url + "/search/?q=apn")
    assert phone_page.locator(".search-results li").count() > 0


def test_ticket_list_shows_severity_status_and_due_on_a_phone(live_server, phone_page, demo):
    _sign_in(phone_page, live_server, demo["customer"])
    phone_page.goto(live_server.url + "/support/tickets/")
    first_row = phone_page.locator("table.tiers-tickets tbody tr").first
    for label in ("Case", "Severity", "Status", "Response due"):
        cell = first_row.locator(f'td[data-label="{label}"]')
        assert cell.is_visible(), label
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (label, box)
    assert _overflow(phone_page) <= WIDTH


def test_header_folds_into_a_keyboard_menu(live_server, phone_page, demo):
    _sign_in(phone_page, live_server, demo["customer"])
    phone_page.goto(live_server.url + "/community/")
    header = phone_page.locator(".site-header").bounding_box()
    assert header["height"] <= 0.2 * 844, header
    menu = phone_page.get_by_role("button", name="Menu")
    community = phone_page.locator(".site-nav").get_by_role("link", name="Community")
    assert menu.is_visible() and not community.is_visible()
    # Keyboard only: Tab past the skip link and the brand to the button, Enter opens it.
    phone_page.keyboard.press("Tab")
    phone_page.keyboard.press("Tab")
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("() => document.activeElement.className") == "menu-toggle"
    phone_page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert community.is_visible()
    assert phone_page.locator(".account-nav").get_by_role("button", name="Log out").is_visible()
    phone_page.keyboard.press("Tab")
    phone_page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not community.is_visible()
    assert phone_page.evaluate("() => document.activeElement.className") == "menu-toggle"


def test_type_ahead_opens_below_the_search_field(live_server, phone_page, demo):
    phone_page.goto(live_server.url + "/community/")
    field = phone_page.locator("#site-search")
    field.click()
    field.press_sequentially("apn", delay=50)
    suggestions = phone_page.locator(".site-header .search-suggest")
    suggestions.wait_for(state="visible")
    field_box, list_box = field.bounding_box(), suggestions.bounding_box()
    assert list_box["y"] >= field_box["y"] + field_box["height"] - 1
    assert list_box["x"] >= 0 and list_box["x"] + list_box["width"] <= WIDTH
