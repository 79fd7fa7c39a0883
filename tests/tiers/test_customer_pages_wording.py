"""Issue 14: customers' pages speak one way. Renders the pages a customer sees and scans their
visible text for the variants the site does not use: "email" (we write "e-mail"), "24/7"
(we write "24x7"), admin labels ("Warn and keep helping"), "1 hours", dates outside the one
style ("2 Dec 2026, 14:05 CET"), and any support phone number but the one in the site's
settings."""

import html
import re

import pytest

from resourcecenter.models import SupportSettings
from tiers.models import Plan

FORBIDDEN = {
    "email (write e-mail)": re.compile(r"\b(?<!-)e?mails?\b(?<!e-mail)", re.IGNORECASE),
    "24/7 (write 24x7)": re.compile(r"24\s*/\s*7|24\s*x\s*7\s*x\s*365|24×7", re.IGNORECASE),
    "admin label": re.compile(
        r"warn and keep helping|Quote the extra work as paid professional services", re.I
    ),
    "singular amount in the plural": re.compile(r"\b1(?:\.0+)? (?:hours|cases|minutes|days)\b"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "numeric date": re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    "weekday date": re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}"),
}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def _email_ok(text: str) -> str:
    # Addresses (support@example.com) are not the word.
    return re.sub(r"\S+@\S+", " ", text).replace("e-mail", " ").replace("E-mail", " ")


def problems(page: str, phone: str) -> list[str]:
    text = visible_text(page)
    found = []
    for name, pattern in FORBIDDEN.items():
        scanned = _email_ok(text) if name.startswith("email") else text
        for match in pattern.finditer(scanned):
            start = max(0, match.start() - 40)
            found.append(f"{name}: …{scanned[start : match.end() + 40]!r}")
    for number in re.findall(r'href="tel:([^"]+)"', page):
        if number != phone.replace(" ", ""):
            found.append(f"second phone number: {number}")
    return found


@pytest.fixture
def phone(db):
    settings = SupportSettings.load()
    settings.support_phone = "+1 800 555 0199"
    settings.save()
    return settings.support_phone


@pytest.fixture
def customer_world(org_a, org_a_admin, open_ticket, infinity, client):
    Plan.objects.filter(pk=infinity.pk).update(troubleshooting_cases=1, overage_rule="warn")
    open_ticket(org_a, org_a_admin, category="troubleshooting")
    over = open_ticket(org_a, org_a_admin, category="troubleshooting")
    return over


def test_paying_customers_pages_use_the_sites_wording(
    client, home_page, customer_world, org_a, org_a_admin, phone
):
    ticket = customer_world
    assert ticket.over_allowance  # the page shows what happens beyond the allowance
    client.force_login(org_a_admin)
    pages = [
        "/",
        "/support/",
        "/support/plans/",
        "/support/tickets/",
        "/support/tickets/?state=all",
        "/support/tickets/new/",
        ticket.get_absolute_url(),
        org_a.get_absolute_url(),
        "/community/",
        "/accounts/profile/",
    ]
    found = {}
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        found[path] = problems(response.content.decode(), phone)
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_community_customers_and_visitors_pages_use_the_sites_wording(
    client, home_page, community_org, phone
):
    found = {}
    for path in ["/", "/support/plans/", "/accounts/login/", "/accounts/signup/"]:
        found[path] = problems(client.get(path).content.decode(), phone)
    client.force_login(community_org.memberships.get().user)
    for path in ["/support/tickets/", "/support/tickets/new/", "/support/plans/"]:
        found[f"community {path}"] = problems(client.get(path).content.decode(), phone)
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_scan_finds_what_it_looks_for():
    """The scanner itself: each forbidden variant is caught, the house style is not."""
    bad = (
        "<p>Email us 24/7. Warn and keep helping. 1 hours. 2026-12-02. 12/2/2026. "
        'Wed 02 Dec 2026. <a href="tel:+18665550100">call</a></p>'
    )
    assert len(problems(bad, "+1 800 555 0199")) == 8
    good = (
        "<p>E-mail support@example.com, 24x7. 1 hour, 3 cases. 2 Dec 2026, 14:05 CET. "
        '<a href="tel:+18005550199">+1 800 555 0199</a></p><script>var email = 1;</script>'
    )
    assert problems(good, "+1 800 555 0199") == []
