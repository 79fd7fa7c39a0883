"""Trust levels: new members earn freedom by contributing; staff can override by hand.

Why: a forum open to sign-ups must keep spam and abuse out without burdening regulars. A new
member's first posts wait for a moderator (forum.permissions.post_requires_approval), their links
and images are not rendered (permissions.may_post_links) and their rate limits are stricter
(forum.ratelimits). They are promoted automatically once enough of their posts were approved and
their account is old enough:

    new     -> member    PROMOTE_TO_MEMBER  (approved posts, account age in days)
    member  -> trusted   PROMOTE_TO_TRUSTED

Thresholds are settings (FORUM_TRUST_MEMBER_POSTS, FORUM_TRUST_MEMBER_DAYS,
FORUM_TRUST_TRUSTED_POSTS, FORUM_TRUST_TRUSTED_DAYS). Promotion never demotes, and never touches a
level staff set by hand (Member.trust_level_locked); forum.moderation_members.set_trust_level
does that, with a log entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from forum import permissions as perms
from forum import signals
from forum.conf import app_settings
from forum.models import Member, PostState, TrustLevel

ORDER = [TrustLevel.NEW, TrustLevel.MEMBER, TrustLevel.TRUSTED]


@dataclass(frozen=True)
class Threshold:
    level: str
    approved_posts: int
    account_days: int

    @property
    def label(self) -> str:
        return TrustLevel(self.level).label


def thresholds() -> list[Threshold]:
    return [
        Threshold(
            TrustLevel.MEMBER,
            app_settings.TRUST_MEMBER_POSTS,
            app_settings.TRUST_MEMBER_DAYS,
        ),
        Threshold(
            TrustLevel.TRUSTED,
            app_settings.TRUST_TRUSTED_POSTS,
            app_settings.TRUST_TRUSTED_DAYS,
        ),
    ]


def rank(level: str) -> int:
    return ORDER.index(level) if level in ORDER else 0


def earned_level(member: Member, *, now=None) -> str:
    """The highest level the member's record earns (ignoring manual locks)."""
    now = now or timezone.now()
    joined = getattr(member.user, "date_joined", None) or member.created_at
    age = now - joined
    level = TrustLevel.NEW
    for threshold in thresholds():
        if member.approved_post_count >= threshold.approved_posts and age >= timedelta(
            days=threshold.account_days
        ):
            level = threshold.level
    return level


def next_step(member: Member) -> Threshold | None:
    """What the member needs for the next level (for their settings page), or None."""
    current = rank(member.trust_level)
    for threshold in thresholds():
        if rank(threshold.level) > current:
            return threshold
    return None


@transaction.atomic
def maybe_promote(user) -> str | None:
    """Promote `user` if their approved posts and account age earn a higher level.

    Returns the new level, or None if nothing changed. Reads the counter fresh from the database
    (the caller may just have changed it) and writes with a conditional UPDATE, so concurrent
    calls promote once.
    """
    member = Member.objects.select_related("user").filter(user=user).first()
    if member is None or member.trust_level_locked:
        return None
    earned = earned_level(member)
    if rank(earned) <= rank(member.trust_level):
        return None
    updated = Member.objects.filter(
        pk=member.pk, trust_level=member.trust_level, trust_level_locked=False
    ).update(trust_level=earned)
    perms.forget_member(user)
    return earned if updated else None


def promote_all() -> int:
    """Sweep every member (e.g. daily, since account age alone can earn a level); returns how
    many were promoted."""
    promoted = 0
    candidates = Member.objects.filter(trust_level_locked=False).exclude(
        trust_level=TrustLevel.TRUSTED
    )
    for member in candidates.select_related("user").iterator():
        if maybe_promote(member.user):
            promoted += 1
    return promoted


@receiver(signals.post_created, dispatch_uid="forum_trust_post_created")
def _on_post_created(sender, post, author, **kwargs):
    """A published post may earn its author the next level."""
    if author is not None and post.moderation_state == PostState.APPROVED:
        maybe_promote(author)
