"""What signed-in readers get from the forum's caches is never stale or forbidden (forum.cache).

Each test first shows that the answer really comes from the cache (the request that repeats the
page does not ask the database for it), then changes it the way the site does, then asserts the
same reader sees the change on the next request: the unread count, the watch buttons and the
reader's votes (kept per reader generation), and the thread itself (kept per content
generation) after an edit, a hidden question, a move and a plan gate.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from forum import moderation, moderation_threads, services, watching
from forum.models import Notification
from tests.forum.factories import CategoryFactory, make_reply
from tiers import gate
from tiers.models import CategoryRestriction, Plan


def queries_on(client, url, table: str) -> list[str]:
    """The statements a GET of `url` sent that read `table`."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def badge(html: str) -> str | None:
    """The header's unread count, None without a badge."""
    marker = 'class="badge badge-count">'
    if marker not in html:
        return None
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


@pytest.fixture
def signed_in(client, trusted_member):
    client.force_login(trusted_member)
    return client


def test_the_unread_count_is_cached_and_moves_with_each_notification(
    signed_in, trusted_member, other_member, thread, django_capture_on_commit_callbacks
):
    watching.watch_thread(trusted_member, thread)
    page(signed_in, "/community/")
    assert not queries_on(signed_in, "/community/", "forum_notification")
    assert badge(page(signed_in, "/community/")) is None
    with django_capture_on_commit_callbacks(execute=True):  # notices go out after the commit
        make_reply(other_member, thread, body="An answer the author hears about")
    assert Notification.objects.filter(recipient=trusted_member, read_at=None).count() == 1
    assert badge(page(signed_in, "/community/")) == "1"
    assert signed_in.post(reverse("forum:notifications")).status_code == 302  # mark all read
    assert badge(page(signed_in, "/community/")) is None


def test_another_readers_notification_moves_nothing_they_see(
    signed_in, trusted_member, other_member, user_factory, thread
):
    """The reader generation is shared: someone else's notification evicts the cached count
    but the count read again is still right."""
    page(signed_in, "/community/")
    someone = user_factory(email="someone@example.com", display_name="Someone")
    Notification.objects.create(recipient=someone, kind="reply")
    assert badge(page(signed_in, "/community/")) is None


def test_the_thread_watch_button_follows_watching_at_once(signed_in, trusted_member, reply):
    thread = reply.thread
    url = thread.get_absolute_url()
    page(signed_in, url)
    assert not queries_on(signed_in, url, "forum_subscription")
    assert "Watch this thread" in page(signed_in, url)
    watching.watch_thread(trusted_member, thread)
    assert "Watching · stop" in page(signed_in, url)
    signed_in.post(reverse("forum:watch_thread", args=[thread.pk]), {"action": "unwatch"})
    assert "Watch this thread" in page(signed_in, url)


def test_the_category_watch_button_follows_watching_at_once(signed_in, trusted_member, category):
    url = category.get_absolute_url()
    page(signed_in, url)
    assert not queries_on(signed_in, url, "forum_subscription")
    assert "Watch this category" in page(signed_in, url)
    signed_in.post(reverse("forum:watch_category", args=[category.slug]), {"action": "watch"})
    assert "Watching this category" in page(signed_in, url)
    watching.unwatch_category(trusted_member, category)
    assert "Watch this category" in page(signed_in, url)


def _voted(html: str, post) -> bool:
    form = html.index(f'action="{reverse("forum:vote", args=[post.pk])}"')
    return 'aria-pressed="true"' in html[form : html.index("</form>", form)]


def test_the_readers_votes_are_cached_and_a_vote_shows_at_once(signed_in, trusted_member, reply):
    url = reply.thread.get_absolute_url()
    page(signed_in, url)
    assert not queries_on(signed_in, url, "forum_postvote")
    assert not _voted(page(signed_in, url), reply)
    services.vote_helpful(post=reply, user=trusted_member)
    assert _voted(page(signed_in, url), reply)
    services.remove_vote(post=reply, user=trusted_member)
    assert not _voted(page(signed_in, url), reply)


def test_the_thread_is_cached_and_an_edited_title_shows_at_once(signed_in, trusted_member, thread):
    url = thread.get_absolute_url()
    page(signed_in, url)
    assert not queries_on(signed_in, url, "forum_thread")
    question = thread.posts.get(number=1)
    services.edit_post(
        post=question, editor=trusted_member, body=question.body_markdown, title="A new title"
    )
    thread.refresh_from_db()
    assert "A new title" in page(signed_in, thread.get_absolute_url())


def test_a_hidden_thread_is_never_served_to_members_from_the_cache(
    client, other_member, moderator, thread
):
    client.force_login(other_member)
    url = thread.get_absolute_url()
    page(client, url)
    assert not queries_on(client, url, "forum_thread")
    moderation.hide_posts([thread.posts.get(number=1)], by=moderator, reason="Spam")
    assert client.get(url).status_code == 404


def test_a_moved_thread_shows_its_new_category_to_members_at_once(signed_in, moderator, thread):
    url = thread.get_absolute_url()
    page(signed_in, url)
    other = CategoryFactory(name="SMS and USSD", slug="sms-ussd")
    moderation_threads.move_thread(thread, category=other, by=moderator, reason="Wrong board")
    assert "SMS and USSD" in page(signed_in, url)  # the breadcrumb


def test_a_plan_gate_closes_a_cached_thread_to_members_without_the_plan(
    client, other_member, category, thread
):
    client.force_login(other_member)
    url = thread.get_absolute_url()
    gate._clear_cache()
    page(client, url)
    assert not queries_on(client, url, "forum_thread")
    restriction = CategoryRestriction.objects.create(category=category)
    restriction.plans.add(Plan.objects.get(code="infinity"))
    gate._clear_cache()
    response = client.get(url)
    assert response.status_code == 403
    assert thread.posts.get(number=1).body_markdown[:40] not in response.content.decode()


def _triage_counts(client, hours: int) -> tuple[str, str]:
    html = page(client, f"/community/triage/?view=no_staff&hours={hours}")
    unanswered = html.split("No reply after", 1)[1].split("(", 1)[1].split(")", 1)[0]
    no_staff = html.split("No staff reply (", 1)[1].split(")", 1)[0]
    return unanswered, no_staff


def test_triage_counts_are_kept_until_a_thread_or_the_clock_moves_them(
    client, staff_user, trusted_member, category, monkeypatch
):
    from django.utils import timezone

    from tests.forum.factories import make_thread

    client.force_login(staff_user)
    older = make_thread(trusted_member, category, title="An open question from before")
    for _ in range(2):  # the first visit writes (the admin profile): kept from the second
        page(client, "/community/triage/?view=no_staff&hours=2")
    assert not [
        q
        for q in queries_on(client, "/community/triage/?view=no_staff&hours=2", "forum_thread")
        if "FILTER (WHERE" in q  # the counts; the listing is kept by its own rule
    ]
    assert _triage_counts(client, 2) == ("0", "1")  # created just now: not 2 hours old yet
    make_thread(trusted_member, category, title="A second open question")
    assert _triage_counts(client, 2) == ("0", "2")
    make_reply(staff_user, older, body="Staff had a look at this")
    assert _triage_counts(client, 2) == ("0", "1")
    # Nothing is written, but two hours pass: the unanswered one reaches the age.
    later = timezone.now() + timezone.timedelta(hours=2, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _triage_counts(client, 2) == ("1", "1")


def test_a_renamed_or_removed_tag_is_never_served_from_the_cache(
    signed_in, trusted_member, category
):
    from forum.models import Tag
    from tests.forum.factories import make_thread

    make_thread(trusted_member, category, title="A tagged question", tags="roaming")
    tag = Tag.objects.get(slug="roaming")
    url = tag.get_absolute_url()
    page(signed_in, url)
    assert not queries_on(signed_in, url, "forum_tag")
    Tag.objects.filter(pk=tag.pk).update(name="Roaming abroad")
    assert "Roaming abroad" in page(signed_in, url)
    tag.delete()
    assert signed_in.get(url).status_code == 404
