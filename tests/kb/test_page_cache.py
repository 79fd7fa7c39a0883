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
        # A page holding the visitor's own CSRF token is theirs alone: never in a shared cache.
        holds_token = b"csrfmiddlewaretoken" in response.content
        assert response["Cache-Control"] == (
            "private, no-cache" if holds_token else "public, no-cache"
        )
        assert "Cookie" in response["Vary"]
        assert response["ETag"]
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "Content-Security-Policy" in response
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    page = client.get(article.url)
    assert "Everyone reads this." in page.content.decode()
    assert page["Cache-Control"] == "private, no-cache"  # its feedback form holds a token


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


# --- the WSGI handler: a hit answered before Django's request handling -----------------------


def _wsgi(url, method="GET", **extra):
    """Run one request through `PageCacheWSGIHandler` as a WSGI server would: (status, headers
    as a list of pairs, body, whether Django's own request handling ran)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    from resourcecenter.pagecache import PageCacheWSGIHandler

    environ = RequestFactory().generic(method, url, **extra).environ
    started, handled = [], []

    def count(**kwargs):
        handled.append(True)

    request_started.connect(count)
    # As Django's test client does: the test's transaction holds the connection, which the
    # handler's start/finish signals would otherwise close (PostgreSQL: not in autocommit).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = PageCacheWSGIHandler()(environ, lambda s, h, e=None: started.append((s, h)))
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
    finally:
        request_started.disconnect(count)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status.split()[0]), headers, content, bool(handled)


def _header(headers, name):
    values = [value for key, value in headers if key.lower() == name.lower()]
    return values[0] if values else None


def test_the_wsgi_handler_answers_a_hit_with_every_header_and_no_query(
    client, article, django_assert_num_queries
):
    kept = _cached(client, "/", django_assert_num_queries)
    with django_assert_num_queries(0):
        status, headers, body, handled = _wsgi("/")
    assert (status, handled) == (200, False)  # Django's handler never ran
    assert body == kept.content
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert _header(headers, name) == kept[name]  # added by middleware a hit skips
    assert _header(headers, "Referrer-Policy") == kept["Referrer-Policy"]
    assert _header(headers, "Content-Length") == str(len(body))
    assert _header(headers, "Cache-Control") == "public, no-cache"
    assert _header(headers, "Vary") == "Cookie"
    assert _header(headers, "ETag") == kept["ETag"]
    status, _, body, handled = _wsgi("/", HTTP_IF_NONE_MATCH=kept["ETag"])
    assert (status, body, handled) == (304, b"", False)


def test_the_wsgi_handler_gives_each_visitor_their_own_form_token(
    client, article, django_assert_num_queries
):
    from django.middleware.csrf import _unmask_cipher_token

    client.get(article.url)  # kept
    tokens = set()
    for _ in range(2):
        with django_assert_num_queries(0):
            status, headers, body, handled = _wsgi(article.url)
        assert (status, handled) == (200, False)
        (token,) = re.findall(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', body)
        cookie = _header(headers, "Set-Cookie")
        secret = re.search(r"csrftoken=([A-Za-z0-9]{32});", cookie)[1]
        assert _unmask_cipher_token(token.decode()) == secret
        tokens.add(token)
    assert len(tokens) == 2  # a fresh secret and mask per visitor without a cookie
    # A visitor with a cookie keeps their secret.
    status, headers, body, _ = _wsgi(article.url, HTTP_COOKIE=f"csrftoken={secret}")
    (token,) = re.findall(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', body)
    assert _unmask_cipher_token(token.decode()) == secret
    assert f"csrftoken={secret};" in _header(headers, "Set-Cookie")


def test_the_wsgi_handler_sends_everyone_else_to_django(
    client, article, member, django_assert_num_queries, settings
):
    _cached(client, "/", django_assert_num_queries)
    _cached(client, article.url, django_assert_num_queries)
    reader = Client()
    reader.force_login(member)
    session = reader.cookies[settings.SESSION_COOKIE_NAME].value
    status, headers, body, handled = _wsgi("/", HTTP_COOKIE=f"sessionid={session}")
    assert (status, handled) == (200, True)
    assert b"Log out" in body
    assert "public" not in (_header(headers, "Cache-Control") or "")
    # Any session cookie (even one that names no session) and a flash message go to Django.
    for cookie in ("sessionid=unknown", "messages=abc"):
        assert _wsgi(article.url, HTTP_COOKIE=cookie)[3]
    for method in ("POST", "HEAD"):
        status, headers, body, handled = _wsgi(article.url, method=method)
        assert handled
        assert "public" not in (_header(headers, "Cache-Control") or "")
    assert _wsgi(article.url + "?utm_source=x")[3]
    settings.ALLOWED_HOSTS = ["testserver"]
    status, _, _, handled = _wsgi("/", HTTP_HOST="elsewhere.example")
    assert (status, handled) == (400, True)


def test_the_wsgi_handler_never_serves_a_gated_or_restricted_page(
    client, article, django_assert_num_queries
):
    from tiers.models import PageRestriction, Plan

    _cached(client, article.url, django_assert_num_queries)
    plan, _ = Plan.objects.get_or_create(code="infinity-test", defaults={"name": "Infinity"})
    restriction = PageRestriction.objects.create(page=article)
    restriction.plans.add(plan)
    for _ in range(2):
        status, headers, body, handled = _wsgi(article.url)
        assert handled
        assert b"Everyone reads this." not in body
        assert "public" not in (_header(headers, "Cache-Control") or "")
    restriction.delete()
    _cached(client, article.url, django_assert_num_queries)
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    status, _, body, handled = _wsgi(article.url)
    assert (status, handled) == (302, True)
    assert b"Everyone reads this." not in body


def test_a_head_request_keeps_nothing(client, article, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    head = client.head(article.url)
    assert (head.status_code, head.content) == (200, b"")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(article.url)  # built: the HEAD kept nothing
    assert len(queries) > 0
    assert b"Everyone reads this." in first.content
    _cached(client, article.url, django_assert_num_queries)
    head = client.head(article.url)
    assert (head.status_code, head.content) == (200, b"")


def test_a_preview_shows_the_draft_not_the_kept_copy(
    client, rf, article, django_assert_num_queries
):
    from urllib.parse import urlsplit

    host = urlsplit(article.full_url).netloc  # the host a preview's request is made for
    _cached(client, article.url, django_assert_num_queries, HTTP_HOST=host)
    # The admin previews the form's unsaved data (nothing written, the generation unmoved),
    # here asked without a session: same host and path as the kept copy.
    article.title = "Draft title, not published"
    preview = article.make_preview_request(original_request=rf.get(article.url))
    assert "Draft title, not published" in preview.content.decode()
    assert "public" not in preview.get("Cache-Control", "")
    kept = client.get(article.url, HTTP_HOST=host).content.decode()
    assert "Draft title, not published" not in kept


# --- what is kept ----------------------------------------------------------------------------


def _page_request():
    from django.test import RequestFactory

    from resourcecenter import pagecache

    request = RequestFactory().get("/kept/")
    pagecache.allow(request)
    return request, pagecache.anonymous_key(request)


def test_a_token_outside_a_form_input_is_never_kept(db):
    from django.core.cache import cache
    from django.http import HttpResponse

    from resourcecenter import pagecache

    request, key = _page_request()
    token = pagecache.csrf_token(request)
    form = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    pagecache.store(request, key, HttpResponse(form))
    assert cache.get(key) is not None
    cache.delete(key)
    pagecache.store(request, key, HttpResponse(f'{form}<script>var t = "{token}";</script>'))
    assert cache.get(key) is None


def test_a_response_with_another_cookie_or_vary_is_never_kept(db):
    from django.core.cache import cache
    from django.http import HttpResponse

    from resourcecenter import pagecache

    request, key = _page_request()
    response = HttpResponse("page")
    response.set_cookie("csrftoken", "x" * 32)
    response["Vary"] = "Cookie"
    pagecache.store(request, key, response)
    assert cache.get(key) is not None
    cache.delete(key)
    for name, value in (("Vary", "Cookie, Accept-Language"), ("Set-Cookie", "sessionid")):
        response = HttpResponse("page")
        if name == "Vary":
            response["Vary"] = value
        else:
            response.set_cookie(value, "abc")
        pagecache.store(request, key, response)
        assert cache.get(key) is None


def test_the_form_token_is_djangos_token(rf):
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token, get_token

    from resourcecenter.pagecache import csrf_token

    request = rf.get("/")
    token = csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(secret) == 32 and len(token) == 64
    assert set(token + secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert _unmask_cipher_token(get_token(request)) == secret  # Django reads the same secret
    again = csrf_token(request)
    assert again != token and _unmask_cipher_token(again) == secret


# --- review: a visitor without a CSRF cookie, a failing cache -------------------------------


def test_a_visitor_without_a_csrf_cookie_never_gets_a_304_for_a_page_with_a_form(
    article, django_assert_num_queries
):
    """Every visitor without a cookie got the same ETag, so one of them (or a shared cache
    revalidating on their behalf: the copy is `public`) got a 304 and reused another visitor's
    form token - and, from a shared cache, their Set-Cookie: one CSRF secret for two people."""
    from django.middleware.csrf import _unmask_cipher_token

    Client().get(article.url)  # kept
    first = Client(enforce_csrf_checks=True).get(article.url)
    assert first.status_code == 200 and "csrftoken" in first.cookies
    stranger = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        again = stranger.get(article.url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200  # their own token and cookie, not the first visitor's copy
    (token,) = re.findall(
        r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', again.content.decode()
    )
    secret = again.cookies["csrftoken"].value
    assert secret != first.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == secret
    assert again["ETag"] != first["ETag"]
    # The ETag they got is the one their next conditional GET (with the cookie) matches.
    with django_assert_num_queries(0):
        revalidated = stranger.get(article.url, HTTP_IF_NONE_MATCH=again["ETag"])
    assert revalidated.status_code == 304


def test_the_wsgi_handler_lets_django_answer_when_the_cache_fails(
    client, article, django_assert_num_queries, monkeypatch
):
    """With the database cache (the embedded default) a hit reads the database outside
    Django's request handling: a failing read must reach Django (which answers it and, at the
    next request, closes the broken connection), not escape to the server."""
    from resourcecenter import pagecache

    _cached(client, article.url, django_assert_num_queries)

    calls = []
    working = pagecache.cached_response

    def broken_once(*args, **kwargs):  # the hit's read fails; Django's own read works
        calls.append(True)
        if len(calls) == 1:
            raise ConnectionError("connection to the cache's database lost")
        return working(*args, **kwargs)

    monkeypatch.setattr(pagecache, "cached_response", broken_once)
    status, _, body, handled = _wsgi(article.url)
    assert (status, handled) == (200, True)
    assert b"Everyone reads this." in body
