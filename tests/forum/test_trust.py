"""forum.trust: new members are held and restricted until promoted by approved posts and age."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

import pytest

from forum import moderation, moderation_members, trust
from forum import permissions as perms
from forum.models import Member, PostState, ThreadState, TrustLevel
from tests.forum.factories import make_reply, make_thread


def _age(user, days):
    type(user).objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days))
    user.refresh_from_db()


def test_new_member_first_posts_held_and_links_not_rendered(new_member, category):
    thread = make_thread(
        new_member,
        category,
        body="See [my shop](https://spam.example) ![x](https://x.example/a.png)",
    )
    post = thread.posts.get()
    assert thread.moderation_state == ThreadState.HELD
    assert post.moderation_state == PostState.HELD
    assert "<a " not in post.body_html and "<img" not in post.body_html
    assert post.restricted_markup


def test_promotion_by_approved_posts_and_age(new_member, category, moderator, thread):
    _age(new_member, 5)
    with override_settings(FORUM_TRUST_MEMBER_POSTS=2, FORUM_TRUST_MEMBER_DAYS=1):
        posts = [make_reply(new_member, thread, body=f"Reply number {i}") for i in range(2)]
        assert all(p.moderation_state == PostState.HELD for p in posts)
        moderation.approve_posts(posts[:1], by=moderator)
        assert Member.objects.get(user=new_member).trust_level == TrustLevel.NEW
        moderation.approve_posts(posts[1:], by=moderator)
        assert Member.objects.get(user=new_member).trust_level == TrustLevel.MEMBER
    fresh = type(new_member).objects.get(pk=new_member.pk)  # no cached standing
    assert perms.may_post_links(fresh)
    assert not perms.post_requires_approval(fresh)


def test_account_age_required(new_member):
    Member.objects.filter(user=new_member).update(approved_post_count=50)
    _age(new_member, 0)
    assert trust.maybe_promote(new_member) is None
    _age(new_member, 2)
    assert trust.maybe_promote(new_member) == TrustLevel.MEMBER
    _age(new_member, 40)
    assert trust.maybe_promote(new_member) == TrustLevel.TRUSTED
    assert trust.maybe_promote(new_member) is None  # nothing more to earn


def test_promotion_never_demotes_or_overrides_manual_level(new_member, moderator):
    moderation_members.set_trust_level(
        new_member, level=TrustLevel.TRUSTED, by=moderator, lock=False
    )
    assert trust.maybe_promote(new_member) is None
    assert Member.objects.get(user=new_member).trust_level == TrustLevel.TRUSTED


def test_promote_all_sweep(user_factory):
    from tests.forum.factories import set_trust

    users = [user_factory(email=f"u{i}@example.com") for i in range(3)]
    for user in users:
        set_trust(user, TrustLevel.NEW)
        _age(user, 3)
    Member.objects.filter(user=users[0]).update(approved_post_count=5)
    assert trust.promote_all() == 1
    assert Member.objects.get(user=users[0]).trust_level == TrustLevel.MEMBER


def test_next_step(new_member):
    member = Member.objects.get(user=new_member)
    step = trust.next_step(member)
    assert step.level == TrustLevel.MEMBER and step.label == "Member"


@pytest.mark.postgres
def test_published_post_promotes_through_signal(
    django_capture_on_commit_callbacks, trusted_member, category
):
    Member.objects.filter(user=trusted_member).update(approved_post_count=25)
    _age(trusted_member, 60)
    with django_capture_on_commit_callbacks(execute=True):
        make_thread(trusted_member, category, title="Promoted after this question?")
    assert Member.objects.get(user=trusted_member).trust_level == TrustLevel.TRUSTED
