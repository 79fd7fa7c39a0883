"""Section listings (filters, pagination) and the home page."""

import re

import pytest

from kb.models import ArticleFeedback, ArticlePage
from kb.selectors import LISTING_PAGE_SIZE

pytestmark = pytest.mark.django_db


def card_titles(body):
    return re.findall(r'<h3 class="card-title"><a href="[^"]*">([^<]+)</a>', body)


@pytest.fixture
def mixed_section(section, make_article, make_code_sample, make_video, make_area):
    sims, api = make_area("SIMs"), make_area("API")
    make_article(section, "Activate a SIM", kind="tutorial", product_area=sims, tags=["activation"])
    make_article(section, "SIM lifecycle", kind="guide", product_area=sims, tags=["lifecycle"])
    make_article(
        section, "Create an API key", kind="api_key_guide", product_area=api, tags=["keys"]
    )
    make_article(section, "No data", kind="support_topic", tags=["activation", "data"])
    make_code_sample(section, "List SIMs in Python", product_area=api, tags=["keys"])
    make_video(section, "Portal tour", product_area=sims)
    make_article(section, "Unpublished", live=False)
    return section


def test_listing_shows_all_live_children_of_every_kind(client, mixed_section):
    body = client.get(mixed_section.url).content.decode()
    assert sorted(card_titles(body)) == sorted(
        [
            "Activate a SIM",
            "SIM lifecycle",
            "Create an API key",
            "No data",
            "List SIMs in Python",
            "Portal tour",
        ]
    )
    assert "(6)" in body
    # the filter form is labelled and offers only what the section holds
    assert '<label for="id_kind">Kind</label>' in body
    assert '<option value="video">Video</option>' in body
    assert '<option value="sims">SIMs</option>' in body
    assert '<option value="lifecycle">lifecycle</option>' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=tutorial", ["Activate a SIM"]),
        ("kind=api_key_guide", ["Create an API key"]),
        ("kind=code_sample", ["List SIMs in Python"]),
        ("kind=video", ["Portal tour"]),
        ("area=sims", ["Activate a SIM", "SIM lifecycle", "Portal tour"]),
        ("area=api", ["Create an API key", "List SIMs in Python"]),
        ("tag=activation", ["Activate a SIM", "No data"]),
        ("tag=keys&kind=code_sample", ["List SIMs in Python"]),
        ("area=sims&kind=guide", ["SIM lifecycle"]),
    ],
)
def test_filters(client, mixed_section, query, expected):
    body = client.get(f"{mixed_section.url}?{query}").content.decode()
    assert sorted(card_titles(body)) == sorted(expected)


def test_active_filters_are_shown_and_removable(client, mixed_section):
    body = client.get(f"{mixed_section.url}?kind=guide&area=sims").content.decode()
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+)<', body)
    assert ("?area=sims", "Kind: Guide ") in chips
    assert ("?kind=guide", "Product area: SIMs ") in chips
    assert "Clear all" in body
    # the form keeps the selection
    assert '<option value="guide" selected>Guide</option>' in body


def test_unknown_filter_values_are_reported_and_ignored(client, mixed_section):
    body = client.get(f"{mixed_section.url}?kind=podcast&tag=nope").content.decode()
    assert "That kind is not available in this section" in body
    assert "That tag is not available in this section" in body
    assert len(card_titles(body)) == 6


def test_pagination_keeps_filters(client, section, make_article):
    for i in range(LISTING_PAGE_SIZE + 3):
        make_article(section, f"Guide {i:02d}", kind="guide")
    make_article(section, "A tutorial", kind="tutorial")
    first = client.get(f"{section.url}?kind=guide").content.decode()
    assert len(card_titles(first)) == LISTING_PAGE_SIZE
    assert 'href="?kind=guide&amp;page=2" rel="next"' in first
    assert "Page 1 of 2" in first
    second = client.get(f"{section.url}?kind=guide&page=2").content.decode()
    assert card_titles(second) == ["Guide 12", "Guide 13", "Guide 14"]
    assert 'aria-current="page">2</a>' in second
    # out-of-range and junk page numbers fall back to a real page
    assert client.get(f"{section.url}?page=99").status_code == 200
    assert card_titles(client.get(f"{section.url}?page=abc").content.decode())[0] == "Guide 00"


def test_listing_shows_subsections_with_counts(client, section, make_section, make_article):
    sub = make_section("APN guides", parent=section)
    make_article(sub, "Quectel APN")
    make_article(sub, "Draft", live=False)
    body = client.get(section.url).content.decode()
    assert "APN guides" in body and "1 page<" in body


def test_view_restricted_children_are_not_listed(client, section, make_article):
    from wagtail.models import PageViewRestriction

    secret = make_article(section, "Secret")
    make_article(section, "Open")
    PageViewRestriction.objects.create(page=secret, restriction_type="login")
    assert card_titles(client.get(section.url).content.decode()) == ["Open"]


def test_home_page_has_hero_sections_newest_popular_and_community(
    client, home_page, make_section, make_article
):
    guides = make_section("Guides")
    make_section("Empty section")
    older = make_article(guides, "Older guide")
    newer = make_article(guides, "Newer guide")
    helpful = make_article(guides, "Helpful guide")
    for n in range(3):
        ArticleFeedback.objects.create(page=helpful, session_key=f"s{n}", helpful=True)
    ArticleFeedback.objects.create(page=older, session_key="x", helpful=False)
    body = client.get("/").content.decode()
    assert 'role="search"' in body and 'id="hero-search-input"' in body
    assert "Guides" in body and "3 pages" in body and "0 pages" in body
    newest = re.search(r'<section class="home-newest[^"]*".*?</section>', body, re.S).group(0)
    assert newest.index("Helpful guide") < newest.index("Newer guide") < newest.index("Older guide")
    popular = re.search(r'<section class="home-popular[^"]*".*?</section>', body, re.S).group(0)
    assert "Helpful guide" in popular and "3 found this helpful" in popular
    assert "Older guide" not in popular
    assert 'href="/community/"' in body
    assert newer.url in body


def test_article_kinds_cover_the_listing_kinds():
    assert {k for k, _ in ArticlePage.Kind.choices} < {
        "tutorial",
        "guide",
        "api_key_guide",
        "support_topic",
        "code_sample",
        "video",
    }


def test_empty_states(client, section, make_section, mixed_section):
    # valid filters that together match nothing: say so and offer the way back
    body = client.get(f"{mixed_section.url}?kind=video&tag=keys").content.decode()
    assert card_titles(body) == []
    assert "No pages match these filters." in body
    assert f'<a href="?">Show everything in {mixed_section.title}</a>' in body
    assert "(0)" in body
    # a section with nothing published yet
    empty = make_section("Coming soon")
    body = client.get(empty.url).content.decode()
    assert "Nothing has been published in this section yet." in body
    assert "pagination" not in body and "Clear all" not in body
    # the filter form still works there: every control is labelled, nothing to choose
    assert '<label for="id_kind">Kind</label>' in body
    assert '<option value="" selected>All kinds</option>' in body
