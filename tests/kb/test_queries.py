"""Home, section and article pages issue a bounded number of queries whatever the page count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from kb.models import ArticleFeedback

pytestmark = pytest.mark.django_db

CEILING = 30  # a generous absolute ceiling, so growth in fixed costs is noticed too


def build(section, make_article, make_code_sample, make_video, areas, start, count):
    pages = []
    for i in range(start, start + count):
        maker = (make_article, make_code_sample, make_video)[i % 3]
        page = maker(
            section,
            f"Page {i:03d}",
            product_area=areas[i % len(areas)],
            tags=["apn", f"tag-{i % 4}"],
        )
        ArticleFeedback.objects.create(page=page, session_key=f"s{i}", helpful=i % 4 != 0)
        pages.append(page)
    return pages


def count_queries(client, url):
    client.get(url)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.fixture
def grow(make_section, make_article, make_code_sample, make_video, make_area):
    """Returns (urls, add_more): the pages to measure, and a way to grow from 7 to 40 pages."""
    areas = [make_area("SIMs"), make_area("API"), make_area("SMS")]
    section = make_section("Guides")
    make_section("Other")
    # 7 pages, so that every list (newest, popular, related) already holds all three page
    # types: specific() costs one query per page type, never one per page.
    pages = build(section, make_article, make_code_sample, make_video, areas, 0, 7)
    urls = {
        "home": "/",
        "index": section.url,
        "index_filtered": f"{section.url}?tag=apn&area=sims&kind=guide",
        "index_page_2": f"{section.url}?page=2",
        "article": pages[3].url,
        "code_sample": pages[1].url,
        "video": pages[2].url,
        "feed": "/feeds/articles.atom",
        "section_feed": f"/feeds/sections/{section.pk}.atom",
        "sitemap": "/sitemap.xml",
    }

    def add_more():
        extra_section = make_section("More")
        build(section, make_article, make_code_sample, make_video, areas, 7, 28)
        build(extra_section, make_article, make_code_sample, make_video, areas, 35, 5)

    return urls, add_more


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "index",
        "index_filtered",
        "index_page_2",
        "article",
        "code_sample",
        "video",
        "feed",
        "section_feed",
        "sitemap",
    ],
)
def test_query_count_does_not_grow_with_pages(client, grow, name, django_assert_max_num_queries):
    urls, add_more = grow
    small = count_queries(client, urls[name])
    assert small <= CEILING
    add_more()
    client.get(urls[name])
    with django_assert_max_num_queries(small):
        client.get(urls[name])


def test_signed_in_article_view_is_bounded_too(client, grow, member, django_assert_max_num_queries):
    urls, add_more = grow
    client.force_login(member)
    small = count_queries(client, urls["article"])
    add_more()
    client.get(urls["article"])
    with django_assert_max_num_queries(small):
        client.get(urls["article"])
