"""Counters stay exact under truly concurrent writes (PostgreSQL, several connections)."""

import threading

from django.db import close_old_connections, connection

import pytest

from forum import services
from forum.models import Post, PostVote, Thread, TrustLevel
from tests.forum.factories import CategoryFactory, make_thread, set_trust

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(functions):
    """Run each function in its own thread (own DB connection), all released at once."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def worker(fn):
        try:
            barrier.wait(timeout=30)
            fn()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    close_old_connections()
    assert errors == []


@pytest.fixture
def users(user_factory):
    people = [user_factory(email=f"p{i}@example.com", display_name=f"P{i}") for i in range(8)]
    for person in people:
        set_trust(person, TrustLevel.MEMBER)
    return people


def test_concurrent_replies_votes_and_views(on_postgres, users):
    category = CategoryFactory(name="APN & data", slug="apn-data")
    thread = make_thread(users[0], category)
    question = thread.posts.get(number=1)
    per_worker = 4

    def replier(user):
        def go():
            for i in range(per_worker):
                services.create_reply(author=user, thread=thread, body=f"Reply {i} by {user.pk}")

        return go

    run_concurrently([replier(u) for u in users])
    thread.refresh_from_db()
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    expected = len(users) * per_worker
    assert numbers == list(range(1, expected + 2))
    assert thread.reply_count == expected
    assert thread.last_post_number == expected + 1
    assert thread.last_post_id == Post.objects.filter(thread=thread).order_by("-number")[0].pk

    def voter(user):
        return lambda: services.vote_helpful(post=question, user=user)

    run_concurrently([voter(u) for u in users[1:]] * 2)  # everyone twice, at the same time
    question.refresh_from_db()
    assert question.helpful_count == len(users) - 1 == PostVote.objects.count()

    run_concurrently([lambda: services.record_view(thread) for _ in range(12)])
    assert Thread.objects.get(pk=thread.pk).view_count == 12
