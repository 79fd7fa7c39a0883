"""Anonymous Resource Center pages come from the cache (resourcecenter.pagecache) and are never
stale or forbidden: every change a page shows makes the copy unreachable."""

import re

from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from resourcecenter.models import SupportSettings
from tests.kb.conftest import publish

pytestmark = pytest.mark.django_db


def _cached(client, url, django_assert_num_queries, **extra):
    """GET `url` twice; the second answer must come from the cache without a query."""
    first = client.get(url, **extra)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url, **extra)
    assert second.status_code == 200
    return second


@pytest.fixture(autouse=True)
def _support_settings(db):
    SupportSettings.load()  # made on first use; a write that would move the generation


@pytest.fixture
def article(section, make_article):
    return make_article(section, "Open guide", body=[("paragraph", "<p>Everyone reads this.</p>")])


def test_home_section_and_article_are_served_from_the_cache(
    client, article, section, django_assert_num_queries
):
    for url in ("/", section.url, article.url, f"{section.url}?page=1"):
        response = _cached(client, url, django_assert_num_queries)
        assert response["Cache-Control"] == "public, no-cache"
        assert "Cookie" in response["Vary"]
        assert response["ETag"]
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "Content-Security-Policy" in response
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    assert "Everyone reads this." in client.get(article.url).content.decode()


def test_unknown_query_parameters_and_posts_are_not_cached(
    client, article, django_assert_max_num_queries
):
    client.get(article.url + "?utm_source=x")
    response = client.get(article.url + "?utm_source=x")
    assert "Cache-Control" not in response or "public" not in response["Cache-Control"]


def test_a_published_change_is_shown_at_once(client, article, django_assert_num_queries):
    _cached(client, article.url, django_assert_num_queries)
    article.title = "Open guide, revised"
    publish(article)
    assert "Open guide, revised" in client.get(article.url).content.decode()
    assert "Open guide, revised" in client.get(article.get_parent().url).content.decode()


def test_unpublish_move_and_delete_are_shown_at_once(
    client, article, section, make_section, django_assert_num_queries
):
    url = article.url
    _cached(client, url, django_assert_num_queries)
    article.unpublish()
    assert client.get(url).status_code == 404
    assert "Open guide" not in client.get(section.url).content.decode()

    publish(article)
    _cached(client, url, django_assert_num_queries)
    other = make_section("Billing")
    article.move(other, pos="last-child")
    article.refresh_from_db()
    assert client.get(url)["Location"] == article.url  # Wagtail's redirect to the new place
    assert client.get(article.url).status_code == 200

    _cached(client, article.url, django_assert_num_queries)
    moved_url = article.url
    article.delete()
    assert client.get(moved_url).status_code == 404


def test_a_snippet_and_a_setting_the_page_shows(
    client, make_article, section, make_area, django_assert_num_queries
):
    area = make_area("SIM cards")
    article = make_article(section, "Area guide", product_area=area)
    assert "SIM cards" in _cached(client, article.url, django_assert_num_queries).content.decode()
    area.name = "eSIM profiles"
    area.save()
    assert "eSIM profiles" in client.get(article.url).content.decode()

    support = SupportSettings.load()
    support.support_phone = "+1 800 555 0199"
    support.save()
    assert "+1 800 555 0199" in client.get(article.url).content.decode()
    assert "+1 800 555 0199" in client.get("/").content.decode()


def test_an_incident_banner_appears_and_goes(
    client, home_page, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from tiers.incidents.models import ServiceProblem

    _cached(client, "/", django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):  # the status cache moves on commit
        problem = ServiceProblem.objects.create(
            title="Data sessions failing in EU", description="We are looking into it.", severity=1
        )
    assert "Data sessions failing in EU" in client.get("/").content.decode()
    _cached(client, "/", django_assert_num_queries)
    problem.status = ServiceProblem.RESOLVED
    with django_capture_on_commit_callbacks(execute=True):
        problem.save()
    assert "Data sessions failing in EU" not in client.get("/").content.decode()


def test_a_plan_restriction_gates_the_cached_page_at_once(
    client, article, django_assert_num_queries, django_assert_max_num_queries
):
    from tiers.models import PageRestriction, Plan

    assert (
        "Everyone reads this."
        in _cached(client, article.url, django_assert_num_queries).content.decode()
    )
    plan, _ = Plan.objects.get_or_create(code="infinity-test", defaults={"name": "Infinity"})
    restriction = PageRestriction.objects.create(page=article)
    restriction.plans.add(plan)
    for _ in range(2):  # the gated page is never kept: each visit asks the gate again
        response = client.get(article.url)
        assert "Everyone reads this." not in response.content.decode()
        assert 'content="noindex"' in response.content.decode()
        assert "public" not in response.get("Cache-Control", "")
    restriction.delete()
    assert "Everyone reads this." in client.get(article.url).content.decode()


def test_a_login_restriction_is_honoured_at_once(client, article, django_assert_num_queries):
    _cached(client, article.url, django_assert_num_queries)
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(article.url)
    assert response.status_code == 302
    assert "Everyone reads this." not in response.content.decode()


def test_a_password_restricted_page_is_never_kept(client, article):
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )
    for _ in range(2):
        response = client.get(article.url)
        assert "Everyone reads this." not in response.content.decode()
        assert "public" not in response.get("Cache-Control", "")


def test_signed_in_readers_never_get_the_anonymous_copy(
    client, article, member, django_assert_num_queries
):
    _cached(client, "/", django_assert_num_queries)
    _cached(client, article.url, django_assert_num_queries)
    reader = Client()
    reader.force_login(member)
    for url in ("/", article.url):
        response = reader.get(url)
        assert "Log out" in response.content.decode()
        assert "public" not in response.get("Cache-Control", "")
    assert "Log out" not in client.get("/").content.decode()


def test_the_reader_time_zone_is_part_of_the_key(client, article, django_assert_num_queries):
    _cached(client, article.url, django_assert_num_queries)
    client.cookies["tz"] = "Asia/Tokyo"
    first = client.get(article.url)
    assert first.status_code == 200
    assert "JST" in first.content.decode() or "+09" in first.content.decode()


def test_the_feedback_form_on_a_cached_page_works(article, django_assert_num_queries):
    builder = Client(enforce_csrf_checks=True)
    builder.get(article.url)  # keeps the page with its own token
    visitor = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        page = visitor.get(article.url)
    tokens = re.findall(
        r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page.content.decode()
    )
    assert tokens and "\x00" not in page.content.decode()
    assert "csrftoken" in page.cookies  # the visitor got the secret the token is masked from
    from django.urls import reverse

    refused = visitor.post(reverse("kb:feedback", args=[article.pk]), {"helpful": "yes"})
    assert refused.status_code == 403
    answered = visitor.post(
        reverse("kb:feedback", args=[article.pk]),
        {"helpful": "yes", "csrfmiddlewaretoken": tokens[0]},
    )
    assert answered.status_code in (200, 302)
