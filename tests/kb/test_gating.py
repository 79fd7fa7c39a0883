"""Plan gating wiring: teaser + upgrade path, noindex, listings, sitemap and feed.

The gate (tiers.gate) belongs to the tiers app; these tests replace its two answers with a
fixed rule ("pages titled 'Premium ...' are for the infinity plan") to test kb's wiring only.
"""

import re

from django.test import Client

import pytest

from tiers import gate

pytestmark = pytest.mark.django_db


@pytest.fixture
def premium_rule(monkeypatch):
    def page_audience(page):
        return ["infinity"] if page.title.startswith("Premium") else [gate.PUBLIC]

    def audiences_for(user):
        if getattr(user, "email", "") == "customer@example.com":
            return frozenset({gate.PUBLIC, "infinity"})
        return frozenset({gate.PUBLIC})

    monkeypatch.setattr(gate, "page_audience", page_audience)
    monkeypatch.setattr(gate, "audiences_for", audiences_for)
    monkeypatch.setattr(gate, "gated_plans", lambda audience: [])


@pytest.fixture
def pages(section, make_article):
    open_page = make_article(
        section, "Open guide", tags=["keys"], body=[("paragraph", "<p>Everyone reads this.</p>")]
    )
    premium = make_article(
        section,
        "Premium escalation runbook",
        summary="How escalations work for paying customers.",
        tags=["keys"],
        body=[("paragraph", "<p>SECRET BODY</p>")],
    )
    return open_page, premium


def test_gated_page_shows_a_teaser_and_the_upgrade_path(client, premium_rule, pages):
    _, premium = pages
    response = client.get(premium.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Premium escalation runbook" in body
    assert "How escalations work for paying customers." in body
    assert "SECRET BODY" not in body
    assert 'href="/support/plans/"' in body
    assert '<meta name="robots" content="noindex">' in body
    assert "article-feedback" not in body


def test_entitled_viewer_reads_the_page(premium_rule, pages, user_factory):
    _, premium = pages
    customer = Client()
    customer.force_login(user_factory(email="customer@example.com"))
    body = customer.get(premium.url).content.decode()
    assert "SECRET BODY" in body
    assert 'content="noindex"' not in body


def test_open_pages_are_indexable(client, premium_rule, pages):
    open_page, _ = pages
    body = client.get(open_page.url).content.decode()
    assert "Everyone reads this." in body
    assert 'content="noindex"' not in body


def test_listings_teaser_gated_pages_consistently(client, premium_rule, pages, section):
    body = client.get(section.url).content.decode()
    card = re.search(r'<article class="card resource-card is-locked">.*?</article>', body, re.S)
    assert card and "Premium escalation runbook" in card.group(0)
    assert "Support plan" in card.group(0) and "/support/plans/" in card.group(0)
    assert body.count("is-locked") == 1
    home = client.get("/").content.decode()
    assert "is-locked" in home  # the home page's newest list marks it too
    open_page, _ = pages
    related = client.get(open_page.url).content.decode()
    assert "resource-card is-locked" in related


def test_feedback_on_a_gated_page_is_refused(client, premium_rule, pages):
    from django.urls import reverse

    _, premium = pages
    response = client.post(
        reverse("kb:feedback", args=[premium.pk]),
        {"helpful": "yes"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403


def test_sitemap_and_feed_leave_out_gated_pages(client, premium_rule, pages):
    open_page, premium = pages
    sitemap = client.get("/sitemap.xml").content.decode()
    assert open_page.url in sitemap and premium.url not in sitemap
    feed = client.get("/feeds/articles.atom").content.decode()
    assert "Open guide" in feed and "Premium escalation runbook" not in feed
    section_feed = client.get(f"/feeds/sections/{open_page.get_parent().pk}.atom")
    assert section_feed.status_code == 200
    feed = section_feed.content.decode()
    assert "Open guide" in feed and "Premium escalation runbook" not in feed


def test_real_gate_restriction_is_honoured(client, pages):
    """The same wiring against the tiers app's real restriction data."""
    from tiers.models import PageRestriction, Plan

    _, premium = pages
    plan, _ = Plan.objects.get_or_create(code="infinity-test", defaults={"name": "Infinity"})
    restriction = PageRestriction.objects.create(page=premium)
    restriction.plans.add(plan)
    body = client.get(premium.url).content.decode()
    assert "SECRET BODY" not in body and 'content="noindex"' in body
    assert "Infinity" in body
