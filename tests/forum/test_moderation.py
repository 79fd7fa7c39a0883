"""forum.moderation: every action changes state, keeps counters right and writes the log."""

from django.core import mail
from django.core.exceptions import ValidationError

import pytest

from forum import moderation, moderation_members, moderation_threads
from forum.models import (
    Flag,
    Member,
    ModerationLogEntry,
    Notification,
    NotificationKind,
    Post,
    PostState,
    Subscription,
    Thread,
    ThreadState,
    ThreadStatus,
    TrustLevel,
)
from forum.services import ForumPermissionDenied
from tests.forum.factories import CategoryFactory, make_reply, make_thread, set_trust


@pytest.fixture
def held_thread(new_member, category):
    thread = make_thread(new_member, category, title="SIM stuck in Ready state after activation")
    assert thread.moderation_state == ThreadState.HELD
    return thread


def _entries(action):
    return list(ModerationLogEntry.objects.filter(action=action))


@pytest.mark.postgres
def test_approve_publishes_held_thread_counts_and_logs(
    django_capture_on_commit_callbacks, held_thread, new_member, moderator, other_member
):
    Subscription.objects.create(user=other_member, category=held_thread.category)
    post = held_thread.posts.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        changed = moderation.approve_posts([post], by=moderator, reason="Looks fine")
    assert [p.pk for p in changed] == [post.pk]
    held_thread.refresh_from_db()
    post.refresh_from_db()
    assert post.moderation_state == PostState.APPROVED
    assert held_thread.moderation_state == ThreadState.VISIBLE
    assert Member.objects.get(user=new_member).approved_post_count == 1
    [entry] = _entries("approve_post")
    assert entry.actor == moderator
    assert entry.reason == "Looks fine"
    assert entry.before["moderation_state"] == "held"
    assert entry.after["moderation_state"] == "approved"
    assert entry.subject_user == new_member
    # The category watcher hears about the (now published) thread; the author watches it.
    assert Notification.objects.filter(
        recipient=other_member, kind=NotificationKind.NEW_THREAD
    ).exists()
    assert Subscription.objects.filter(user=new_member, thread=held_thread).exists()
    # Approving again changes nothing and logs nothing.
    assert moderation.approve_posts([post], by=moderator) == []
    assert len(_entries("approve_post")) == 1


def test_non_moderator_cannot_moderate(held_thread, trusted_member):
    post = held_thread.posts.get(number=1)
    with pytest.raises(ForumPermissionDenied):
        moderation.approve_posts([post], by=trusted_member)
    with pytest.raises(ForumPermissionDenied):
        moderation_threads.pin_thread(held_thread, by=trusted_member)
    assert not ModerationLogEntry.objects.exists()


def test_reject_requires_reason_and_tells_author(
    django_capture_on_commit_callbacks, held_thread, new_member, moderator
):
    post = held_thread.posts.get(number=1)
    with pytest.raises(ValidationError):
        moderation.reject_posts([post], by=moderator, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reject_posts([post], by=moderator, reason="Advertising")
    post.refresh_from_db()
    held_thread.refresh_from_db()
    assert post.moderation_state == PostState.REJECTED
    assert held_thread.moderation_state == ThreadState.HIDDEN
    note = Notification.objects.get(recipient=new_member, kind=NotificationKind.MODERATION)
    assert "Advertising" in note.message


def test_hide_and_restore_reply_keep_counts(thread, reply, moderator, other_member):
    thread.refresh_from_db()
    assert thread.reply_count == 1
    moderation.hide_posts([reply], by=moderator, reason="Off-topic rant")
    thread.refresh_from_db()
    reply.refresh_from_db()
    assert reply.moderation_state == PostState.HIDDEN
    assert thread.reply_count == 0
    moderation.restore_posts([reply], by=moderator, reason="Reviewed, fine")
    thread.refresh_from_db()
    assert thread.reply_count == 1
    actions = list(ModerationLogEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["hide_post", "restore_post"]


def test_hiding_accepted_answer_reopens_thread(thread, reply, trusted_member, moderator):
    from forum.services import accept_answer

    accept_answer(thread=thread, post=reply, by=trusted_member)
    moderation.hide_posts([reply], by=moderator, reason="Wrong and dangerous")
    thread.refresh_from_db()
    assert thread.accepted_answer_id is None
    assert thread.status == ThreadStatus.OPEN


def test_bulk_approve_applies_per_item(category, new_member, user_factory, moderator):
    other_new = user_factory(email="n2@example.com", display_name="N Two")
    set_trust(other_new, TrustLevel.NEW)
    t1 = make_thread(new_member, category, title="APN not working on BG96 module")
    t2 = make_thread(other_new, category, title="SMS delivery delayed by hours")
    posts = list(Post.objects.filter(thread__in=[t1, t2]))
    changed = moderation.approve_posts(posts, by=moderator, reason="Batch")
    assert len(changed) == 2
    assert Thread.objects.filter(moderation_state=ThreadState.VISIBLE).count() == 2
    assert len(_entries("approve_post")) == 2


def test_pin_lock_close_reopen_logged(thread, moderator):
    moderation_threads.pin_thread(thread, by=moderator, reason="FAQ")
    moderation_threads.lock_thread(thread, by=moderator)
    moderation_threads.close_thread(thread, by=moderator, reason="Answered elsewhere")
    thread.refresh_from_db()
    assert thread.pinned and thread.locked and thread.status == ThreadStatus.CLOSED
    moderation_threads.close_thread(thread, by=moderator, closed=False)
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN
    actions = list(ModerationLogEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["pin_thread", "lock_thread", "close_thread", "reopen_thread"]
    assert ModerationLogEntry.objects.get(action="pin_thread").after == {"pinned": True}


def test_move_thread(thread, moderator):
    other = CategoryFactory(name="Roaming", slug="roaming")
    moderation_threads.move_thread(thread, category=other, by=moderator, reason="Roaming question")
    thread.refresh_from_db()
    assert thread.category == other
    entry = ModerationLogEntry.objects.get(action="move_thread")
    assert entry.before == {"category": "apn-data"} and entry.after == {"category": "roaming"}


def test_close_as_duplicate_links_original(thread, trusted_member, category, moderator):
    dup = make_thread(trusted_member, category, title="Which APN do I use for my modem?")
    moderation_threads.close_as_duplicate(dup, original=thread, by=moderator)
    dup.refresh_from_db()
    assert dup.status == ThreadStatus.CLOSED and dup.duplicate_of == thread
    with pytest.raises(ValidationError):
        moderation_threads.close_as_duplicate(thread, original=thread, by=moderator)


@pytest.mark.postgres
def test_merge_moves_posts_in_order_and_watchers(
    django_capture_on_commit_callbacks,
    thread,
    reply,
    trusted_member,
    other_member,
    category,
    moderator,
):
    with django_capture_on_commit_callbacks(execute=True):  # the author watches their thread
        source = make_thread(other_member, category, title="Modem will not attach with my APN")
    make_reply(trusted_member, source, body="Same problem here.")
    moderation_threads.merge_thread(source, into=thread, by=moderator, reason="Same question")
    thread.refresh_from_db()
    source.refresh_from_db()
    numbers = list(thread.posts.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert thread.reply_count == 3
    assert thread.last_post_number == 4
    assert source.merged_into == thread and source.moderation_state == ThreadState.HIDDEN
    assert Subscription.objects.filter(user=other_member, thread=thread).exists()
    assert ModerationLogEntry.objects.filter(action="merge_thread", thread=source).exists()
    with pytest.raises(ValidationError):
        moderation_threads.merge_thread(thread, into=thread, by=moderator)


def test_merged_thread_url_redirects(client, thread, other_member, category, moderator):
    source = make_thread(other_member, category, title="Modem will not attach with my APN")
    moderation_threads.merge_thread(source, into=thread, by=moderator)
    response = client.get(source.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == thread.get_absolute_url()


def test_split_replies_into_new_thread(thread, trusted_member, other_member, moderator):
    r1 = make_reply(other_member, thread, body="Unrelated: roaming in Brazil fails.")
    r2 = make_reply(trusted_member, thread, body="Roaming needs the roaming profile.")
    keep = make_reply(other_member, thread, body="Back on topic: APN is iot.example.")
    new = moderation_threads.split_thread(
        thread, posts=[r1, r2], title="Roaming in Brazil fails", by=moderator
    )
    assert new.author == other_member
    assert list(new.posts.order_by("number").values_list("pk", "number")) == [
        (r1.pk, 1),
        (r2.pk, 2),
    ]
    assert new.reply_count == 1
    thread.refresh_from_db()
    assert thread.reply_count == 1
    keep.refresh_from_db()
    assert keep.thread == thread
    with pytest.raises(ValidationError):
        moderation_threads.split_thread(
            thread, posts=[thread.posts.get(number=1)], title="x" * 20, by=moderator
        )


def test_suspend_silence_and_lift(new_member, moderator, category):
    from forum import permissions as perms

    moderation_members.suspend_member(new_member, by=moderator, days=3, reason="Spamming")
    assert not perms.can_write(new_member)
    assert "suspended" in perms.can_write(new_member).reason
    moderation_members.suspend_member(new_member, by=moderator, days=0, reason="")
    assert perms.can_write(new_member)
    moderation_members.silence_member(new_member, by=moderator, days=1, reason="Cool down")
    assert not perms.can_write(new_member)
    assert perms.can_participate(new_member)
    actions = list(ModerationLogEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["suspend_member", "lift_suspend_member", "silence_member"]
    messages = list(
        Notification.objects.filter(recipient=new_member, kind=NotificationKind.MODERATION)
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert "suspended until" in messages[0] and "Spamming" in messages[0]
    assert "lifted" in messages[1] and "silenced" in messages[2]
    with pytest.raises(ValidationError):
        moderation_members.suspend_member(new_member, by=moderator, days=-1, reason="x y z")
    with pytest.raises(ValidationError):
        moderation_members.suspend_member(new_member, by=moderator, days=2, reason="")


def test_cannot_sanction_staff_or_self(moderator, staff_user):
    with pytest.raises(ForumPermissionDenied):
        moderation_members.suspend_member(staff_user, by=moderator, days=1, reason="No way")
    with pytest.raises(ForumPermissionDenied):
        moderation_members.suspend_member(moderator, by=moderator, days=1, reason="No way")


def test_set_trust_level_locks_against_promotion(new_member, moderator):
    from forum import trust

    moderation_members.set_trust_level(
        new_member, level=TrustLevel.TRUSTED, by=moderator, reason="Known"
    )
    member = Member.objects.get(user=new_member)
    assert member.trust_level == TrustLevel.TRUSTED and member.trust_level_locked
    moderation_members.set_trust_level(new_member, level=TrustLevel.NEW, by=moderator)
    Member.objects.filter(user=new_member).update(approved_post_count=500)
    assert trust.maybe_promote(new_member) is None
    entry = ModerationLogEntry.objects.filter(action="set_trust_level").first()
    assert entry.before["trust_level"] == "trusted" and entry.after["trust_level"] == "new"


def test_log_is_append_only(thread, moderator):
    moderation_threads.pin_thread(thread, by=moderator)
    entry = ModerationLogEntry.objects.get()
    entry.reason = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().delete()


def test_action_and_log_share_a_transaction(thread, moderator, monkeypatch):
    """If writing the log fails, the change is rolled back too."""

    def broken(**kwargs):
        raise RuntimeError("log store down")

    monkeypatch.setattr(ModerationLogEntry.objects, "create", broken)
    with pytest.raises(RuntimeError):
        moderation_threads.pin_thread(thread, by=moderator)
    thread.refresh_from_db()
    assert not thread.pinned


# --- inline controls on the site ------------------------------------------------------------


def test_inline_controls_shown_to_moderators_only(client, thread, trusted_member, moderator):
    client.force_login(trusted_member)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Moderate this thread" not in html
    assert "Watch" in html  # the author watches their own thread
    client.force_login(moderator)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Moderate this thread" in html
    assert f"/community/mod/t/{thread.pk}/merge/" in html


def test_inline_approve_held_post(client, held_thread, moderator):
    post = held_thread.posts.get(number=1)
    client.force_login(moderator)
    html = client.get(held_thread.get_absolute_url()).content.decode()
    assert "data-mod-approve" in html
    response = client.post(f"/community/mod/p/{post.pk}/approve/", {"reason": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.moderation_state == PostState.APPROVED


def test_inline_hide_needs_reason(client, thread, reply, moderator):
    client.force_login(moderator)
    response = client.post(f"/community/mod/p/{reply.pk}/hide/", {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    response = client.post(f"/community/mod/p/{reply.pk}/hide/", {"reason": "Spam link"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.moderation_state == PostState.HIDDEN


def test_inline_pin_lock_move_merge_split_duplicate(
    client, thread, other_member, trusted_member, category, moderator
):
    client.force_login(moderator)
    assert client.post(f"/community/mod/t/{thread.pk}/pin/").status_code == 302
    assert client.post(f"/community/mod/t/{thread.pk}/lock/").status_code == 302
    thread.refresh_from_db()
    assert thread.pinned and thread.locked
    assert client.post(f"/community/mod/t/{thread.pk}/explode/").status_code == 404
    other = CategoryFactory(name="SMS", slug="sms")
    response = client.post(f"/community/mod/t/{thread.pk}/move/", {"category": other.pk})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.category == other
    # Merge: by URL of the target.
    source = make_thread(other_member, category, title="Another APN attach failure here")
    response = client.post(
        f"/community/mod/t/{source.pk}/merge/", {"target": f"http://x/community/t/{thread.pk}/a/"}
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.merged_into == thread
    response = client.post(f"/community/mod/t/{thread.pk}/merge/", {"target": "999999"})
    assert response.status_code == 400
    assert "no thread with that number" in response.content.decode()
    # Duplicate.
    dup = make_thread(trusted_member, category, title="APN question asked once again")
    r = make_reply(other_member, dup, body="A different problem about roaming")
    response = client.post(f"/community/mod/t/{dup.pk}/duplicate/", {"original": str(thread.pk)})
    assert response.status_code == 302
    html = client.get(dup.get_absolute_url()).content.decode()
    assert "Closed as a duplicate of" in html and thread.get_absolute_url() in html
    # Split.
    page = client.get(f"/community/mod/t/{dup.pk}/split/")
    assert page.status_code == 200
    response = client.post(
        f"/community/mod/t/{dup.pk}/split/",
        {"title": "A different roaming problem", "posts": [str(r.pk)]},
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.thread.title == "A different roaming problem"


def test_inline_controls_refused_for_members(client, thread, reply, trusted_member):
    client.force_login(trusted_member)
    assert client.post(f"/community/mod/t/{thread.pk}/pin/").status_code == 403
    assert client.post(f"/community/mod/p/{reply.pk}/hide/", {"reason": "x y z"}).status_code == 403
    assert client.get(f"/community/mod/t/{thread.pk}/merge/").status_code == 403
    thread.refresh_from_db()
    assert not thread.pinned


# --- the Wagtail admin ------------------------------------------------------------------------


@pytest.fixture
def admin_moderator(moderator):
    """Moderators reach the admin through the group permission granted by a migration."""
    return moderator


def test_admin_queue_lists_held_and_flagged(client, admin_moderator, held_thread, thread, reply):
    Flag.objects.create(post=reply, reporter=admin_moderator, reason="spam")
    client.force_login(admin_moderator)
    response = client.get("/admin/forum/queue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SIM stuck in Ready state" in html  # held thread's question
    assert thread.title in html  # flagged reply
    assert "data-bulk-action-checkbox" in html
    response = client.get("/admin/forum/queue/?state=flagged")
    assert "SIM stuck in Ready state" not in response.content.decode()


def test_admin_queue_forbidden_for_members(client, trusted_member, staff_user):
    client.force_login(trusted_member)
    assert client.get("/admin/forum/queue/").status_code in (302, 403)
    assert client.get("/admin/forum/log/").status_code in (302, 403)


def test_admin_review_and_bulk_actions(client, admin_moderator, held_thread, thread, reply):
    client.force_login(admin_moderator)
    post = held_thread.posts.get(number=1)
    response = client.get(f"/admin/forum/queue/{post.pk}/review/")
    assert response.status_code == 200
    response = client.post(
        f"/admin/forum/queue/{post.pk}/review/", {"action": "approve", "reason": ""}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.moderation_state == PostState.APPROVED
    # Bulk hide needs a reason; with one, it hides every selected post.
    url = f"/admin/bulk/forum/post/forum_hide/?id={reply.pk}&id={post.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200  # form re-shown with the error
    reply.refresh_from_db()
    assert reply.moderation_state == PostState.APPROVED
    response = client.post(url, {"reason": "Cleanup"})
    assert response.status_code == 302
    assert Post.objects.filter(pk__in=[reply.pk, post.pk], moderation_state="hidden").count() == 2
    assert ModerationLogEntry.objects.filter(action="hide_post").count() == 2
    url = f"/admin/bulk/forum/post/forum_restore/?id={reply.pk}&id={post.pk}"
    assert client.post(url, {"reason": "Reviewed"}).status_code == 302
    assert Post.objects.filter(moderation_state="approved").count() == 3


def test_admin_log_and_members(client, admin_moderator, new_member, thread):
    moderation_threads.pin_thread(thread, by=admin_moderator, reason="Pinned for the FAQ")
    client.force_login(admin_moderator)
    response = client.get("/admin/forum/log/")
    assert response.status_code == 200
    assert "Pinned for the FAQ" in response.content.decode()
    entry = ModerationLogEntry.objects.get()
    assert client.get(f"/admin/forum/log/inspect/{entry.pk}/").status_code == 200
    # The log offers no way to change or delete entries.
    assert client.get(f"/admin/forum/log/edit/{entry.pk}/").status_code in (302, 403, 404)
    assert client.post(f"/admin/forum/log/delete/{entry.pk}/").status_code in (302, 403, 404)
    assert ModerationLogEntry.objects.count() == 1
    member = Member.objects.get(user=new_member)
    assert client.get("/admin/forum/members/?q=newbie").status_code == 200
    url = f"/admin/forum/members/{member.pk}/manage/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "form": "sanction",
            "sanction-action": "suspend",
            "sanction-days": "2",
            "sanction-reason": "Spam",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_suspended()
    response = client.post(
        url,
        {"form": "trust", "trust-level": "trusted", "trust-lock": "on", "trust-reason": "Vetted"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.trust_level == "trusted"
    response = client.post(
        url, {"form": "sanction", "sanction-action": "silence", "sanction-days": "5"}
    )
    assert response.status_code == 400


def test_no_mail_for_rejected_posts(django_capture_on_commit_callbacks, held_thread, moderator):
    post = held_thread.posts.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reject_posts([post], by=moderator, reason="Spam")
    assert mail.outbox == []


def test_admin_dashboard_shows_queue_counts(client, admin_moderator, held_thread):
    client.force_login(admin_moderator)
    html = client.get("/admin/").content.decode()
    assert "Community moderation" in html
    assert "1 post held for approval" in html


def test_queue_counts_open_flags_exactly(reply, trusted_member, moderator, held_thread):
    from forum.viewsets_queue import QueueIndexView

    Flag.objects.create(post=reply, reporter=trusted_member, reason="spam")
    Flag.objects.create(post=reply, reporter=moderator, reason="off_topic")
    rows = {p.pk: p for p in QueueIndexView().get_base_queryset()}
    assert rows[reply.pk].open_flag_count == 2
    assert rows[held_thread.posts.get().pk].open_flag_count == 0
    moderation.approve_posts([reply], by=moderator, reason="Fine")  # dismisses the flags
    assert reply.pk not in {p.pk for p in QueueIndexView().get_base_queryset()}
