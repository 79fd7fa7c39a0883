"""forum.demo: a lively community, loadable twice without changes."""

import io

from django.core.management.color import no_style

import pytest

from forum import demo
from forum.models import Category, Flag, Post, PostState, Thread, ThreadState, ThreadStatus


@pytest.mark.django_db(transaction=False)
def test_demo_loads_lively_community_and_is_idempotent(django_capture_on_commit_callbacks):
    from resourcecenter import demo as site_demo

    out = io.StringIO()
    site_demo.load(out, no_style())
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(out, no_style())
    assert Category.objects.count() >= 8
    visible = Thread.objects.filter(moderation_state=ThreadState.VISIBLE)
    assert visible.count() >= 60
    assert visible.filter(status=ThreadStatus.SOLVED).count() >= 8
    assert visible.filter(reply_count=0).exists()  # some unanswered
    assert visible.filter(has_staff_reply=True).count() >= 10
    assert visible.filter(has_official_answer=True).exists()
    assert Thread.objects.filter(moderation_state=ThreadState.HELD).count() >= 3
    assert Post.objects.filter(moderation_state=PostState.HELD, number__gt=1).exists()
    assert Flag.objects.exists()
    titles = list(Thread.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles))
    assert any("APN" in t for t in titles) and any("401" in t for t in titles)
    # Counters are what the services maintain: reply_count equals approved replies.
    for thread in visible[:10]:
        approved = thread.posts.filter(moderation_state="approved", number__gt=1).count()
        assert thread.reply_count == approved
    # Notifications were made for the demo's members and dated like their posts.
    from datetime import timedelta

    from django.utils import timezone

    from forum.models import Notification

    assert Notification.objects.filter(created_at__lt=timezone.now() - timedelta(days=2)).exists()
    counts = (Thread.objects.count(), Post.objects.count(), Flag.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(out, no_style())
    assert (Thread.objects.count(), Post.objects.count(), Flag.objects.count()) == counts
    assert "Community:" in out.getvalue()
