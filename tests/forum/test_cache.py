"""The forum's caches never serve stale or forbidden content (forum.cache).

Each test first makes the cache hold the page (asserting it is really served from the cache:
no query renders it), then changes something the page shows, then asserts the next visitor
sees the change.
"""

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from forum import cache as forum_cache
from forum import moderation, moderation_threads, services
from forum.models import Thread, TrustLevel
from resourcecenter.roles import COMMUNITY_MODERATORS_GROUP
from tests.forum.factories import CategoryFactory, make_reply, make_thread, set_trust
from tiers import gate
from tiers import services as tiers_services
from tiers.models import CategoryRestriction, Plan, Subscription


def served_from_cache(client, url) -> bool:
    """Whether `url` came from the page cache: no query read posts, tags or counts (what
    rendering a thread page or a listing needs)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    rendering = [
        q["sql"]
        for q in ctx.captured_queries
        if any(part in q["sql"] for part in ('"forum_post"', '"forum_tag"', "COUNT("))
    ]
    return not rendering and response["Cache-Control"] == "public, no-cache"


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def warm(client):
    """Request `url` twice and assert the second answer came from the cache."""

    def warm_up(*urls):
        for url in urls:
            client.get(url)
            assert served_from_cache(client, url), url

    return warm_up


def test_anonymous_pages_are_served_from_the_cache(client, thread, reply, category, warm):
    urls = [thread.get_absolute_url(), "/community/", category.get_absolute_url()]
    warm(*urls)
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        # The thread page still looks the thread up (permission, slug) and counts the view.
        assert len(ctx.captured_queries) <= 2, [q["sql"] for q in ctx.captured_queries]


def test_a_new_reply_shows_at_once(client, thread, other_member, category, warm):
    urls = [thread.get_absolute_url(), "/community/", category.get_absolute_url()]
    warm(*urls)
    assert "<dt>Replies</dt><dd>0</dd>" in page(client, category.get_absolute_url())
    make_reply(other_member, thread, body="A brand new answer about the APN")
    assert "A brand new answer about the APN" in page(client, thread.get_absolute_url())
    # The listings show the new reply count and who replied last.
    listing = page(client, category.get_absolute_url())
    assert "<dt>Replies</dt><dd>1</dd>" in listing
    assert f"by {other_member.public_name}" in listing
    assert f"by {other_member.public_name}" in page(client, "/community/")


def test_an_edit_shows_at_once(client, thread, reply, other_member, warm):
    url = thread.get_absolute_url()
    warm(url)
    services.edit_post(post=reply, editor=other_member, body="Edited: use iot.example.com")
    assert "Edited: use iot.example.com" in page(client, url)


def test_a_hidden_post_disappears_at_once(client, thread, reply, moderator, warm):
    url = thread.get_absolute_url()
    warm(url)
    assert reply.body_markdown.split("`")[1] in page(client, url)
    moderation.hide_posts([reply], by=moderator, reason="Off-topic")
    body = page(client, url)
    assert reply.body_markdown.split("`")[1] not in body
    assert "hidden" in body


def test_a_moved_thread_leaves_its_old_category_at_once(client, thread, category, moderator, warm):
    other = CategoryFactory(name="SMS", slug="sms")
    warm(category.get_absolute_url(), other.get_absolute_url(), thread.get_absolute_url())
    assert thread.title in page(client, category.get_absolute_url())
    moderation_threads.move_thread(thread, category=other, by=moderator, reason="Wrong board")
    assert thread.title not in page(client, category.get_absolute_url())
    assert thread.title in page(client, other.get_absolute_url())
    assert "SMS" in page(client, thread.get_absolute_url())  # the breadcrumb


def test_a_category_gated_to_a_plan_is_never_served_from_the_cache(client, thread, category, warm):
    gate._clear_cache()
    warm(thread.get_absolute_url(), category.get_absolute_url(), "/community/")
    restriction = CategoryRestriction.objects.create(category=category)
    restriction.plans.add(Plan.objects.get(code="infinity"))
    gate._clear_cache()
    assert client.get(thread.get_absolute_url()).status_code == 302  # to the login page
    gated = client.get(category.get_absolute_url())  # the teaser and the way in, no threads
    assert gated.status_code == 403 and thread.title not in gated.content.decode()
    assert thread.title not in page(client, "/community/")


def test_a_plan_that_ends_closes_the_gated_category(client, user_factory, category, thread):
    restriction = CategoryRestriction.objects.create(category=category)
    plan = Plan.objects.get(code="infinity")
    restriction.plans.add(plan)
    buyer = user_factory(email="buyer@example.com", display_name="Buyer")
    organisation = tiers_services.create_organisation(name="Acme", region="us", creator=buyer)
    tiers_services.subscribe(organisation=organisation, plan=plan, by=buyer)
    gate._clear_cache()
    client.force_login(buyer)
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert thread.title in page(client, "/community/")
    Subscription.objects.filter(organisation=organisation).update(status="expired")
    gate._clear_cache()
    assert client.get(thread.get_absolute_url()).status_code == 403
    assert thread.title not in page(client, "/community/")


def test_becoming_a_moderator_shows_held_threads(client, user_factory, new_member, category):
    held = make_thread(new_member, category, title="A held question waiting for approval")
    assert held.moderation_state == "held"
    reader = user_factory(email="reader@example.com", display_name="Reader")
    client.force_login(reader)
    assert held.title not in page(client, category.get_absolute_url())
    reader.groups.add(Group.objects.get_or_create(name=COMMUNITY_MODERATORS_GROUP)[0])
    assert held.title in page(client, category.get_absolute_url())
    assert client.get(held.get_absolute_url()).status_code == 200


def test_signing_in_is_never_served_the_anonymous_copy(client, thread, other_member, warm):
    url = thread.get_absolute_url()
    warm(url)
    client.force_login(other_member)
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-cache"
    assert 'action="/community/t/' in response.content.decode()  # the reply form


def test_conditional_get_answers_304_until_the_page_changes(client, thread, other_member):
    url = thread.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert first["Last-Modified"]
    assert "Cookie" in first["Vary"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_reply(other_member, thread, body="Something new to read here")
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag


def test_flash_messages_are_never_cached(client, thread):
    url = thread.get_absolute_url()
    client.get(url)
    client.cookies["messages"] = "anything"
    assert client.get(url)["Cache-Control"] == "private, no-cache"


def test_unknown_query_parameters_are_not_cached(client, thread):
    response = client.get(thread.get_absolute_url() + "?utm_source=x")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_writes_move_the_generation_and_view_counts_do_not(thread):
    before = forum_cache.generation()
    services.record_view(thread)
    assert forum_cache.generation() == before
    Thread.objects.filter(pk=thread.pk).update(pinned=True)
    assert forum_cache.generation() > before


def _forget_pending_bumps():
    """This test case's transaction never commits: drop the bumps earlier writes left pending,
    so the test sees what one real transaction registers."""
    connection.run_on_commit = [
        entry for entry in connection.run_on_commit if entry[1] not in forum_cache._BUMPS.values()
    ]


def test_a_transaction_moves_the_generation_once_after_commit(
    thread, django_capture_on_commit_callbacks
):
    _forget_pending_bumps()
    before = forum_cache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(locked=True)
        Thread.objects.filter(pk=thread.pk).update(locked=False)
        # (inside a test case each write also moves it at once: the test's transaction
        # never commits)
        during = forum_cache.generation()
    assert [c for c in callbacks if c is forum_cache._after_commit] == [forum_cache._after_commit]
    assert before < during < forum_cache.generation()


def test_a_rolled_back_savepoint_does_not_lose_the_bump_of_later_writes(
    thread, django_capture_on_commit_callbacks
):
    _forget_pending_bumps()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                Thread.objects.filter(pk=thread.pk).update(locked=True)
                raise RuntimeError("roll this savepoint back")
        except RuntimeError:
            pass
        Thread.objects.filter(pk=thread.pk).update(pinned=True)
    assert forum_cache._after_commit in callbacks


def test_a_reply_keeps_access_answers_and_a_group_change_does_not(thread, other_member, moderator):
    access = forum_cache.access_generation()
    content = forum_cache.generation()
    make_reply(other_member, thread, body="A reply changes pages, not permissions")
    assert forum_cache.access_generation() == access
    assert forum_cache.generation() > content
    other_member.groups.add(Group.objects.get_or_create(name=COMMUNITY_MODERATORS_GROUP)[0])
    assert forum_cache.access_generation() > access


def test_untracked_tables_are_real_tables(db):
    """A misspelt name tracks the table after all: with the task queue's, every task the
    worker started or finished emptied every cached page."""
    tables = set(connection.introspection.table_names())
    assert tables >= forum_cache.UNTRACKED_TABLES, forum_cache.UNTRACKED_TABLES - tables


def test_the_task_queue_leaves_the_cached_pages():
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult._meta.db_table in forum_cache.UNTRACKED_TABLES


def test_the_generation_survives_eviction_without_repeating(thread):
    first = forum_cache.generation()
    forum_cache.cache.delete(forum_cache.GENERATION_KEY)
    forum_cache.bump()
    assert forum_cache.generation() != first


# --- signed-in readers share list pages and thread pages by what they may see ----------------


def _member_client(client_class, user):
    member = client_class()
    member.force_login(user)
    return member


def test_signed_in_lists_are_shared_but_own_held_threads_stay_their_authors(
    client, new_member, other_member, category
):
    """Readers with the same permissions share a listing's rows; an author's held thread
    makes their list theirs alone, and a new thread shows to everyone at once."""
    author = _member_client(type(client), new_member)
    reader = _member_client(type(client), other_member)
    urls = [category.get_absolute_url(), "/community/", "/community/threads/"]
    for url in urls:  # both warm the shared copy first
        page(reader, url)
        page(author, url)
    held = make_thread(new_member, category, title="A held question only its author lists")
    assert held.moderation_state == "held"
    for url in urls:
        assert held.title in page(author, url), url
        assert held.title not in page(reader, url), url
        assert held.title not in page(client, url), url  # anonymous
    visible = make_thread(other_member, category, title="A visible question everyone lists")
    for url in urls:
        for who in (author, reader, client):
            assert visible.title in page(who, url), url


def _voted(html: str, post) -> bool:
    """Whether the page shows the reader's "Helpful" vote on `post` as theirs."""
    form = html.index(f'action="{reverse("forum:vote", args=[post.pk])}"')
    return 'aria-pressed="true"' in html[form : html.index("</form>", form)]


def test_signed_in_thread_pages_share_posts_but_not_votes_or_held_replies(
    client, thread, reply, new_member, user_factory, moderator
):
    """Readers share a thread page's posts; their votes and their held replies stay theirs."""
    url = thread.get_absolute_url()
    voter = _member_client(type(client), new_member)
    sam = user_factory(email="sam@example.com", display_name="Sam")
    set_trust(sam, TrustLevel.MEMBER)
    reader = _member_client(type(client), sam)
    assert not _voted(page(voter, url), reply) and not _voted(page(reader, url), reply)
    services.vote_helpful(post=reply, user=new_member)
    assert _voted(page(voter, url), reply)
    assert not _voted(page(reader, url), reply)
    held = make_reply(new_member, thread, body="A held reply only its author and moderators see")
    assert held.moderation_state == "held"
    assert "A held reply only its author" in page(voter, url)
    assert "A held reply only its author" not in page(reader, url)
    assert "A held reply only its author" not in page(client, url)
    assert "A held reply only its author" in page(_member_client(type(client), moderator), url)
    # Withdrawing the vote shows at once (it writes the post's count: a content change).
    services.remove_vote(post=reply, user=new_member)
    assert not _voted(page(voter, url), reply)


@pytest.mark.parametrize(
    "written",
    [(2026, 1, 30, 10, 17, 42, 500_000), (2026, 3, 31, 23, 59, 59, 900_000)],
    ids=["late-january", "end-of-march"],
)
def test_age_key_changes_whenever_naturaltime_does(monkeypatch, written):
    """The post and row fragments are keyed by age_key instead of the text "5 minutes ago"
    (far cheaper); two instants with the same key must show the same text (month ends and
    a written time with microseconds are where the calendar's boundaries move)."""
    import datetime as dt

    from django.contrib.humanize.templatetags import humanize

    value = dt.datetime(*written, tzinfo=dt.UTC)
    texts: dict = {}
    moments = [value + dt.timedelta(seconds=s) for s in range(0, 4000, 7)]
    moments += [value + dt.timedelta(seconds=s) for s in range(4000, 40 * 86400, 599)]
    moments += [value + dt.timedelta(seconds=s) for s in range(40 * 86400, 800 * 86400, 1201)]
    for instant in moments:

        class Frozen(dt.datetime):
            @classmethod
            def now(cls, tz=None, _at=instant):
                return _at

        monkeypatch.setattr(humanize, "datetime", Frozen)
        text = humanize.naturaltime(value)
        texts.setdefault(forum_cache.age_key(value, instant), set()).add(text)
    assert len(texts) > 100
    assert all(len(shown) == 1 for shown in texts.values()), {
        k: v for k, v in texts.items() if len(v) > 1
    }
