"""forum.services: counters, numbering, revisions, soft delete, votes, answers, staff flag."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

import pytest

from forum import services, signals
from forum.models import (
    Member,
    ModerationLogEntry,
    Post,
    PostRevision,
    PostState,
    PostVote,
    Thread,
    ThreadState,
    ThreadStatus,
    TrustLevel,
)
from resourcecenter.roles import ANALYSTS_GROUP
from tests.forum.factories import make_reply, make_thread, set_trust


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.mark.postgres
def test_create_thread_makes_question_post_and_counters(trusted_member, category):
    thread = make_thread(trusted_member, category, tags="LTE-M, quectel")
    assert thread.moderation_state == ThreadState.VISIBLE
    assert thread.slug == "how-do-i-configure-the-apn-on-my-modem"
    question = thread.posts.get()
    assert question.number == 1
    assert question.moderation_state == PostState.APPROVED
    assert thread.reply_count == 0
    assert thread.last_post_id == question.pk
    assert sorted(thread.tags.values_list("name", flat=True)) == ["lte-m", "quectel"]
    assert Member.objects.get(user=trusted_member).approved_post_count == 2 - 1


@pytest.mark.postgres
def test_replies_number_and_counters_are_exact(thread, other_member, staff_user):
    for i in range(3):
        make_reply(other_member, thread, body=f"reply {i}")
    staff_reply = make_reply(staff_user, thread, body="Staff here.")
    thread = fresh(thread)
    assert list(thread.posts.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert thread.reply_count == 4
    assert thread.last_post_id == staff_reply.pk
    assert thread.last_activity_at == staff_reply.created_at
    assert thread.has_staff_reply is True
    assert thread.first_staff_reply_at == staff_reply.created_at


def test_held_reply_does_not_count_until_approved(thread, new_member):
    post = make_reply(new_member, thread, body="First post, please help")
    assert post.moderation_state == PostState.HELD
    thread = fresh(thread)
    assert thread.reply_count == 0
    # Approval (moderation's job) changes the state and recomputes the stats.
    Post.objects.filter(pk=post.pk).update(moderation_state=PostState.APPROVED)
    services.refresh_thread_stats(thread)
    assert fresh(thread).reply_count == 1
    assert fresh(thread).last_post_id == post.pk


def test_new_member_thread_is_held(new_member, category):
    thread = make_thread(new_member, category)
    assert thread.moderation_state == ThreadState.HELD
    assert thread.posts.get().moderation_state == PostState.HELD


def test_new_member_links_and_images_are_not_rendered(new_member, category):
    thread = make_thread(
        new_member,
        category,
        body="Buy at https://spam.example and ![x](https://spam.example/x.png) [here](https://s.example)",
    )
    post = thread.posts.get()
    assert post.restricted_markup is True
    assert "<a " not in post.body_html
    assert "<img" not in post.body_html
    assert "https://spam.example" in post.body_html  # shown as plain text


def test_member_links_get_nofollow(thread):
    post = make_reply(thread.author, thread, body="See https://docs.example.com/apn")
    assert 'rel="nofollow ugc noopener"' in post.body_html


def test_staff_flag_is_stored_at_write_time_and_survives_leaving_staff(
    thread, user_factory, other_member
):
    analyst = user_factory(email="analyst@example.com", display_name="Ana")
    analyst.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    staff_post = make_reply(analyst, thread, body="Official guidance.")
    member_post = make_reply(other_member, thread, body="Me too")
    assert staff_post.is_staff_answer is True
    assert member_post.is_staff_answer is False
    analyst.groups.clear()
    analyst = type(analyst).objects.get(pk=analyst.pk)  # drop the cached group names
    later_post = make_reply(analyst, thread, body="Now a customer again.")
    assert fresh(staff_post).is_staff_answer is True
    assert later_post.is_staff_answer is False
    services.refresh_thread_stats(thread)
    assert fresh(thread).has_staff_reply is True


def test_edit_keeps_revisions(thread, trusted_member):
    question = thread.posts.get(number=1)
    services.edit_post(
        post=question,
        editor=trusted_member,
        body="Updated body with details",
        title="How do I configure the APN on a BG96?",
        reason="more detail",
    )
    services.edit_post(post=question, editor=trusted_member, body="Third version")
    question = fresh(question)
    assert question.edit_count == 2
    assert question.body_markdown == "Third version"
    assert question.edited_by == trusted_member
    revisions = list(question.revisions.order_by("created_at", "pk"))
    assert [r.body_markdown for r in revisions] == [
        "My device does not attach. What APN should I use?",
        "Updated body with details",
    ]
    assert revisions[0].title == "How do I configure the APN on my modem?"
    assert revisions[0].reason == "more detail"
    thread = fresh(thread)
    assert thread.title == "How do I configure the APN on a BG96?"
    assert thread.slug == "how-do-i-configure-the-apn-on-a-bg96"


def test_edit_without_change_makes_no_revision(thread, trusted_member):
    question = thread.posts.get(number=1)
    services.edit_post(post=question, editor=trusted_member, body=question.body_markdown)
    assert PostRevision.objects.count() == 0


def test_others_cannot_edit(thread, other_member):
    with pytest.raises(services.ForumPermissionDenied, match="your own"):
        services.edit_post(post=thread.posts.get(), editor=other_member, body="Hijacked")


def test_moderator_edit_is_logged(thread, moderator):
    services.edit_post(
        post=thread.posts.get(), editor=moderator, body="Cleaned up", reason="removed IMEI"
    )
    entry = ModerationLogEntry.objects.get()
    assert entry.action == "edit_post"
    assert entry.reason == "removed IMEI"
    assert entry.before["body"].startswith("My device")
    # Written by the moderation log's one writer: target, thread, post and author filled in.
    question = thread.posts.get()
    assert (entry.thread, entry.post, entry.subject_user) == (thread, question, question.author)
    assert entry.target_repr == f"Post #1 in “{thread.title}”"
    assert entry.after == {"body": "Cleaned up", "title": thread.title}


def test_soft_delete_keeps_row_and_recounts(thread, reply, other_member):
    services.delete_post(post=reply, by=other_member, reason="")
    reply = fresh(reply)
    assert reply.moderation_state == PostState.DELETED
    assert reply.deleted_reason == "Deleted by its author."
    assert reply.deleted_by == other_member
    assert reply.body_markdown  # text kept for moderators
    assert fresh(thread).reply_count == 0
    assert not ModerationLogEntry.objects.exists()


def test_moderator_delete_needs_reason_and_is_logged(thread, reply, moderator):
    with pytest.raises(ValidationError):
        services.delete_post(post=reply, by=moderator, reason="")
    services.delete_post(post=reply, by=moderator, reason="Spam link")
    entry = ModerationLogEntry.objects.get()
    assert (entry.action, entry.reason, entry.actor) == ("delete_post", "Spam link", moderator)
    assert (entry.thread, entry.post, entry.subject_user) == (thread, reply, reply.author)
    assert entry.target_object_id == str(reply.pk)
    assert entry.before == {"moderation_state": PostState.APPROVED}
    assert entry.after == {"moderation_state": PostState.DELETED}


def test_deleting_question_deletes_thread(trusted_member, category):
    thread = make_thread(trusted_member, category)
    services.delete_post(post=thread.posts.get(), by=trusted_member)
    assert fresh(thread).moderation_state == ThreadState.DELETED


def test_question_with_replies_cannot_be_deleted_by_author(thread, reply, trusted_member):
    with pytest.raises(services.ForumPermissionDenied, match="with replies"):
        services.delete_post(post=thread.posts.get(number=1), by=trusted_member)


def test_votes_one_per_user_not_own(thread, reply, trusted_member, other_member, moderator):
    assert services.vote_helpful(post=reply, user=trusted_member) is True
    assert services.vote_helpful(post=reply, user=trusted_member) is False
    assert services.vote_helpful(post=reply, user=moderator) is True
    with pytest.raises(services.ForumPermissionDenied, match="own post"):
        services.vote_helpful(post=reply, user=other_member)
    assert fresh(reply).helpful_count == 2 == PostVote.objects.filter(post=reply).count()
    assert services.remove_vote(post=reply, user=moderator) is True
    assert services.remove_vote(post=reply, user=moderator) is False
    assert fresh(reply).helpful_count == 1


def test_accept_answer_by_author_solves(
    thread, reply, trusted_member, django_capture_on_commit_callbacks
):
    received = []
    signals.thread_solved.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.accept_answer(thread=thread, post=reply, by=trusted_member)
    finally:
        signals.thread_solved.disconnect(dispatch_uid="t")
    assert [(kw["thread"].pk, kw["post"], kw["by"]) for kw in received] == [
        (thread.pk, reply, trusted_member)
    ]
    thread = fresh(thread)
    assert thread.status == ThreadStatus.SOLVED
    assert thread.accepted_answer == reply
    services.unaccept_answer(thread=thread, by=trusted_member)
    assert fresh(thread).status == ThreadStatus.OPEN


def test_accept_answer_rules(thread, reply, other_member, staff_user):
    with pytest.raises(services.ForumPermissionDenied):
        services.accept_answer(thread=thread, post=reply, by=other_member)
    with pytest.raises(services.ForumPermissionDenied, match="question itself"):
        services.accept_answer(thread=thread, post=thread.posts.get(number=1), by=staff_user)
    services.accept_answer(thread=thread, post=reply, by=staff_user)
    assert fresh(thread).is_solved


def test_official_answer_only_staff_and_unique(thread, reply, staff_user, other_member):
    second = make_reply(staff_user, thread, body="The official fix.")
    with pytest.raises(services.ForumPermissionDenied):
        services.mark_official_answer(post=reply, by=other_member)
    services.mark_official_answer(post=reply, by=staff_user)
    services.mark_official_answer(post=second, by=staff_user)
    assert list(Post.objects.filter(is_official_answer=True)) == [second]
    assert fresh(thread).has_official_answer is True
    services.mark_official_answer(post=second, by=staff_user, official=False)
    assert fresh(thread).has_official_answer is False


def test_record_view_once_per_session(thread):
    session = {}
    assert services.record_view(thread, session) is True
    assert services.record_view(thread, session) is False
    services.record_view(thread)
    assert fresh(thread).view_count == 2


def test_mentions_are_stored_and_signalled(
    thread, other_member, user_factory, moderator, django_capture_on_commit_callbacks
):
    dana = user_factory(email="dana@example.com", display_name="Dana Support")
    set_trust(dana, TrustLevel.MEMBER)
    seen = []
    signals.mentions_found.connect(
        lambda **kw: seen.append(kw["users"]), weak=False, dispatch_uid="m"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post = make_reply(
                other_member,
                thread,
                body="Thanks @Dana_Support and @mo_derator, see `@Riley` and @nobody. a@b.com",
            )
    finally:
        signals.mentions_found.disconnect(dispatch_uid="m")
    assert set(post.mentions.all()) == {dana, moderator}
    assert seen and set(seen[0]) == {dana, moderator}


def test_validation_messages(trusted_member, category):
    with pytest.raises(ValidationError) as excinfo:
        services.create_thread(author=trusted_member, category=category, title="Help", body="x")
    assert "title" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        make_thread(trusted_member, category, tags="ok, <script>")
    assert "tags" in excinfo.value.message_dict


def test_staff_only_category(trusted_member, staff_user, staff_category):
    with pytest.raises(services.ForumPermissionDenied, match="support staff"):
        make_thread(trusted_member, staff_category)
    assert make_thread(staff_user, staff_category).is_visible


def test_locked_thread_refuses_replies(thread, other_member, moderator):
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    with pytest.raises(services.ForumPermissionDenied, match="locked"):
        make_reply(other_member, fresh(thread))
    assert make_reply(moderator, fresh(thread)).number == 2


def test_suspended_and_silenced_members(thread, other_member):
    from datetime import timedelta

    from django.utils import timezone

    Member.objects.filter(user=other_member).update(
        silenced_until=timezone.now() + timedelta(days=1)
    )
    other_member = type(other_member).objects.get(pk=other_member.pk)
    with pytest.raises(services.ForumPermissionDenied, match="cannot post"):
        make_reply(other_member, thread)
    assert services.vote_helpful(post=thread.posts.get(), user=other_member)
    Member.objects.filter(user=other_member).update(
        suspended_until=timezone.now() + timedelta(days=1)
    )
    other_member = type(other_member).objects.get(pk=other_member.pk)
    second = make_reply(thread.author, thread, body="Another answer")
    with pytest.raises(services.ForumPermissionDenied, match="suspended"):
        services.vote_helpful(post=second, user=other_member)


def test_moderation_log_is_append_only(moderator):
    entry = ModerationLogEntry.objects.create(actor=moderator, action="test", reason="why")
    entry.reason = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().delete()
    assert ModerationLogEntry.objects.get().reason == "why"


def test_a_reply_is_checked_against_the_thread_as_it_is_when_numbered(thread, other_member):
    """The caller's copy of the thread may be older than the row: a lock that came in between
    refuses the reply, and nothing of it is kept (not even its number)."""
    stale = Thread.objects.select_related("category").get(pk=thread.pk)
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    with pytest.raises(services.ForumPermissionDenied, match="locked"):
        services.create_reply(author=other_member, thread=stale, body="Still open?")
    thread = fresh(thread)
    assert thread.last_post_number == 1 and thread.posts.count() == 1


def test_the_page_a_reply_lands_on_is_the_counted_page(
    thread, trusted_member, other_member, new_member, moderator, settings
):
    """create_reply says how many posts its author sees before the reply when the counters
    tell (every number below it an approved reply); otherwise the permalink counts. Either way
    the page is the one counting gives, for members, new members and moderators."""
    from forum import selectors_posts
    from forum.conf import app_settings

    def counted(user, post):
        plain = Post.objects.get(pk=post.pk)  # without the hint
        return selectors_posts.page_number_of_post(user, plain)

    per_page = app_settings.POSTS_PER_PAGE
    for i in range(per_page - 2):
        make_reply(other_member, thread, body=f"Filler {i}")
    plain = make_reply(other_member, thread, body="On the first page, the last one")
    assert plain.posts_before == per_page - 1
    second = make_reply(other_member, thread, body="The first of page two")
    assert second.posts_before == per_page
    assert (
        selectors_posts.page_number_of_post(other_member, second)
        == 2
        == counted(other_member, second)
    )
    held = make_reply(new_member, thread, body="Held for a moderator")
    assert held.moderation_state == PostState.HELD
    assert held.posts_before == per_page + 1  # its own held post: every number below approved
    after_held = make_reply(other_member, thread, body="Below it, a post I cannot see")
    assert after_held.posts_before is None
    by_moderator = make_reply(moderator, thread, body="Moderators see the held one too")
    assert by_moderator.posts_before is None
    for user, post in [(new_member, held), (other_member, after_held), (moderator, by_moderator)]:
        assert selectors_posts.page_number_of_post(user, post) == counted(user, post)
    # Someone else's permalink to the reply is always counted.
    assert selectors_posts.page_number_of_post(trusted_member, second) == counted(
        trusted_member, second
    )
