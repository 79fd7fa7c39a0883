"""Counters stay exact under truly concurrent writes (PostgreSQL, several connections)."""

import threading

from django.db import close_old_connections, connection, transaction

import pytest

from forum import services
from forum.models import Post, PostVote, Thread, TrustLevel
from forum.thread_stats import refresh_thread_stats
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


def test_a_recount_waiting_on_a_reply_counts_that_reply(on_postgres, users):
    # A moderator's recount that starts while a reply's transaction holds the thread must see
    # the reply once it commits, not a snapshot from before it (one reply short until the
    # next recount).
    category = CategoryFactory(name="Recount", slug="recount")
    thread = make_thread(users[0], category)
    replied, recount_started = threading.Event(), threading.Event()
    errors = []

    def reply():
        try:
            with transaction.atomic():
                services.create_reply(author=users[1], thread=thread, body="While recounting")
                replied.set()
                recount_started.wait(timeout=30)
                threading.Event().wait(0.5)  # the recount is now waiting on the thread's lock
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def recount():
        try:
            replied.wait(timeout=30)
            recount_started.set()
            refresh_thread_stats(thread.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=reply), threading.Thread(target=recount)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    close_old_connections()
    assert errors == []
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert thread.last_post_id == Post.objects.get(thread=thread, number=2).pk
