"""forum.permissions: the rules themselves (the URL walk checks them end to end)."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum import permissions as perms
from forum.conf import app_settings
from forum.models import Member, Post, PostState, Thread, ThreadState, ThreadStatus, TrustLevel
from tests.forum.factories import make_reply, make_thread, set_trust


def reload(user):
    return type(user).objects.get(pk=user.pk)


def test_verdicts_carry_reasons():
    assert perms.ALLOW and not perms.deny("no")
    assert perms.deny("because").reason == "because"
    assert perms.can_write(AnonymousUser()).reason == perms.SIGN_IN


def test_post_requires_approval_for_new_members_first_posts(user_factory, staff_user, moderator):
    newbie = user_factory(email="n@example.com", display_name="N")
    assert perms.post_requires_approval(newbie)  # no Member row yet: new
    set_trust(newbie, TrustLevel.NEW)
    Member.objects.filter(user=newbie).update(
        approved_post_count=app_settings.NEW_MEMBER_APPROVAL_POSTS
    )
    assert not perms.post_requires_approval(reload(newbie))
    set_trust(newbie, TrustLevel.MEMBER)
    assert not perms.post_requires_approval(newbie)
    assert not perms.post_requires_approval(staff_user)
    assert not perms.post_requires_approval(moderator)


def test_links_only_once_past_new(new_member, trusted_member, staff_user):
    assert not perms.may_post_links(new_member)
    assert perms.may_post_links(trusted_member)
    assert perms.may_post_links(staff_user)
    assert not perms.may_post_links(AnonymousUser())


def test_suspension_and_silence(thread, other_member):
    question = thread.posts.get(number=1)
    Member.objects.filter(user=other_member).update(
        silenced_until=timezone.now() + timedelta(hours=2)
    )
    silenced = reload(other_member)
    assert not perms.can_reply(silenced, thread)
    assert "cannot post until" in perms.can_reply(silenced, thread).reason
    assert perms.can_vote(silenced, question) and perms.can_flag(silenced, question)
    Member.objects.filter(user=other_member).update(
        silenced_until=None, suspended_until=timezone.now() + timedelta(hours=2)
    )
    suspended = reload(other_member)
    assert not perms.can_vote(suspended, question)
    assert not perms.can_flag(suspended, question)
    assert "suspended" in perms.can_start_thread(suspended, thread.category).reason
    Member.objects.filter(user=other_member).update(
        suspended_until=timezone.now() - timedelta(minutes=1)
    )
    assert perms.can_reply(reload(other_member), thread)


def test_thread_visibility_by_state(category, trusted_member, new_member, other_member, moderator):
    held = make_thread(new_member, category)
    assert held.moderation_state == ThreadState.HELD
    assert perms.can_see_thread(new_member, held)
    assert not perms.can_see_thread(other_member, held)
    assert not perms.can_see_thread(AnonymousUser(), held)
    assert perms.can_see_thread(moderator, held)
    visible = make_thread(trusted_member, category)
    Thread.objects.filter(pk=visible.pk).update(moderation_state=ThreadState.DELETED)
    visible.refresh_from_db()
    assert not perms.can_see_thread(other_member, visible)
    assert perms.can_see_thread(moderator, visible)
    ids = set(
        Thread.objects.filter(perms.visible_threads_q(other_member)).values_list("pk", flat=True)
    )
    assert held.pk not in ids and visible.pk not in ids
    ids = set(
        Thread.objects.filter(perms.visible_threads_q(moderator)).values_list("pk", flat=True)
    )
    assert held.pk in ids and visible.pk not in ids  # deleted threads never in lists


def test_post_content_by_state(thread, other_member, trusted_member, moderator):
    post = make_reply(other_member, thread)
    for state, author_sees, others_see in [
        (PostState.APPROVED, True, True),
        (PostState.HELD, True, False),
        (PostState.REJECTED, True, False),
        (PostState.HIDDEN, True, False),
        (PostState.DELETED, False, False),
    ]:
        Post.objects.filter(pk=post.pk).update(moderation_state=state)
        post.refresh_from_db()
        assert bool(perms.can_see_post_content(other_member, post)) is author_sees, state
        assert bool(perms.can_see_post_content(trusted_member, post)) is others_see, state
        assert perms.can_see_post_content(moderator, post), state


def test_reply_rules(thread, other_member, moderator):
    assert perms.can_reply(other_member, thread)
    Thread.objects.filter(pk=thread.pk).update(status=ThreadStatus.CLOSED)
    thread.refresh_from_db()
    assert perms.can_reply(other_member, thread).reason == "This thread is closed."
    assert perms.can_reply(moderator, thread)
    Thread.objects.filter(pk=thread.pk).update(duplicate_of=thread)
    thread.refresh_from_db()
    assert "duplicate" in perms.can_reply(other_member, thread).reason


def test_edit_delete_vote_accept_official(thread, reply, trusted_member, other_member, staff_user):
    thread.refresh_from_db()  # reply_count now 1
    question = thread.posts.get(number=1)
    assert perms.can_edit_post(trusted_member, question)
    assert not perms.can_edit_post(other_member, question)
    assert perms.can_edit_post(staff_user, question)
    assert not perms.can_delete_post(trusted_member, question)  # has a reply
    assert perms.can_delete_post(other_member, reply)
    assert not perms.can_vote(trusted_member, question)
    assert perms.can_vote(trusted_member, reply)
    assert not perms.can_vote(AnonymousUser(), reply)
    assert perms.can_accept_answer(trusted_member, thread, reply)
    assert not perms.can_accept_answer(other_member, thread, reply)
    assert not perms.can_accept_answer(trusted_member, thread, question)
    assert perms.can_mark_official(staff_user, reply)
    assert not perms.can_mark_official(trusted_member, reply)
    assert not perms.can_flag(other_member, reply)
    assert perms.can_flag(trusted_member, reply)
    assert perms.can_view_revisions(other_member, reply)
    assert not perms.can_view_revisions(trusted_member, reply)
    assert perms.can_view_triage(staff_user) and not perms.can_view_triage(trusted_member)
