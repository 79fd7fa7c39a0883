"""Who is who in the Community: the answer type (`Verdict`), support staff and moderators, the
member row (memoised per request), trust level and sanctions, and whether one may write at all.
Part of forum.permissions (import it from there)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from forum.conf import app_settings
from forum.models import Member
from forum.models import TrustLevel as TL
from resourcecenter import access, roles
from resourcecenter.templatetags.wording import when


@dataclass(frozen=True)
class Verdict:
    """An answer with its reason: `if can_reply(user, thread): ...`; `verdict.reason` otherwise."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Verdict(True)


def deny(reason: str) -> Verdict:
    return Verdict(False, reason)


SIGN_IN = "Sign in to take part in the Community."


# --- who is who --------------------------------------------------------------------------------


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def is_support_staff(user) -> bool:
    return roles.is_support_staff(user)


def can_moderate(user) -> Verdict:
    """Moderators (and support staff) moderate everything in the forum."""
    return ALLOW if roles.is_moderator(user) else deny("Only moderators can do that.")


MEMBER_MEMO = "forum.member"


def get_member(user) -> Member | None:
    """The user's community standing (unsaved default if they never posted); None if anonymous.

    Kept by the user's guardian for the request; reads never write.
    """
    if not is_authenticated(user):
        return None
    return roles.guardian_for(user).memo(
        MEMBER_MEMO, lambda: Member.objects.filter(user=user).first() or Member(user=user)
    )


def remember_member(user, member: Member) -> None:
    """After a write in this request: later questions see `member` without a query."""
    roles.guardian_for(user).remember(MEMBER_MEMO, member)


def forget_member(user) -> None:
    """After an UPDATE that bypassed the object: the next question reads it again."""
    roles.guardian_for(user).forget(MEMBER_MEMO)


def trust_level(user) -> str | None:
    """The member's level. A new member whom a paying customer organisation vouches for
    (access.vouched_for: a verified member) starts as a member - unless staff set "new" by hand."""
    member = get_member(user)
    if member is None:
        return None
    vouchable = member.trust_level == TL.NEW and not member.trust_level_locked
    if vouchable and access.vouched_for(user):
        return TL.MEMBER
    return member.trust_level


def post_requires_approval(user) -> bool:
    """Whether a new post by `user` is held for a moderator before anyone else sees it.

    New members' first FORUM_NEW_MEMBER_APPROVAL_POSTS posts are held; staff and moderators never.
    """
    if roles.is_moderator(user):
        return False
    member = get_member(user)
    if member is None:
        return True
    approved = member.approved_post_count
    return trust_level(user) == TL.NEW and approved < app_settings.NEW_MEMBER_APPROVAL_POSTS


def may_post_links(user) -> bool:
    """New members' links are shown as text and their images dropped (anti-spam)."""
    if roles.is_moderator(user):
        return True
    return trust_level(user) not in (None, TL.NEW)


def _sanction(user, *, silenced_blocks: bool) -> Verdict:
    member = get_member(user)
    if member is None:
        return deny(SIGN_IN)
    now = timezone.now()
    if member.is_suspended(now):
        return deny(
            f"Your account is suspended from the Community until {when(member.suspended_until)}."
        )
    if silenced_blocks and member.is_silenced(now):
        return deny(f"You cannot post until {when(member.silenced_until)}.")
    return ALLOW


def can_write(user) -> Verdict:
    """Signed in and neither suspended nor silenced: may post and edit."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    return _sanction(user, silenced_blocks=True)


def can_participate(user) -> Verdict:
    """Signed in and not suspended: may vote and flag (silenced members still may)."""
    if not is_authenticated(user):
        return deny(SIGN_IN)
    return _sanction(user, silenced_blocks=False)
