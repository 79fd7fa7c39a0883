"""Moderator actions on members: suspend, silence and set the trust level by hand.

The guarantees of forum.moderation hold here too: permission checked (a refusal raises
ForumPermissionDenied) and the log entry written in the same transaction as the change."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forum import permissions as perms
from forum.member_services import ensure_member
from forum.models import Member, TrustLevel
from forum.moderation import MAX_SANCTION_DAYS, clean_reason, require_verdict
from forum.modlog import log
from resourcecenter.templatetags.wording import when


def _member_for_update(user) -> Member:
    ensure_member(user)
    return Member.objects.select_for_update().select_related("user").get(user=user)


def _sanction(user, *, by, field: str, days: float, reason: str, action: str) -> Member:
    require_verdict(perms.can_sanction(by, user))
    try:
        days = float(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "Give the number of days."}) from None
    if days < 0 or days > MAX_SANCTION_DAYS:
        raise ValidationError({"days": f"Choose between 0 and {MAX_SANCTION_DAYS} days."})
    lifting = days == 0
    reason = clean_reason(reason, required=not lifting)
    member = _member_for_update(user)
    before = getattr(member, field)
    until = None if lifting else timezone.now() + timedelta(days=days)
    setattr(member, field, until)
    if not lifting:
        member.sanction_reason = reason[:500]
    member.save(update_fields=[field, "sanction_reason"])
    log(
        actor=by,
        action=("lift_" if lifting else "") + action,
        target=member,
        reason=reason,
        before={field: before.isoformat() if before else None},
        after={field: until.isoformat() if until else None},
    )
    perms.forget_member(user)
    from forum.models import Notification, NotificationKind

    if lifting:
        message = "A moderator lifted the restriction on your Community account."
    else:
        what = (
            "suspended" if field == "suspended_until" else "silenced (you can still read and vote)"
        )
        # Stored text read later, wherever the member is: the site's date style, in UTC.
        with timezone.override(UTC):
            shown = when(until)
        message = f"Your Community account is {what} until {shown}: {reason}"
    Notification.objects.create(
        recipient=user, kind=NotificationKind.MODERATION, actor=None, message=message[:300]
    )
    return member


@transaction.atomic
def suspend_member(user, *, by, days: float, reason: str) -> Member:
    """Suspend `user` for `days` (0 lifts it): they may read but not post, edit, vote or flag."""
    return _sanction(
        user, by=by, field="suspended_until", days=days, reason=reason, action="suspend_member"
    )


@transaction.atomic
def silence_member(user, *, by, days: float, reason: str) -> Member:
    """Silence `user` for `days` (0 lifts it): they may read, vote and flag but not post."""
    return _sanction(
        user, by=by, field="silenced_until", days=days, reason=reason, action="silence_member"
    )


@transaction.atomic
def set_trust_level(user, *, level: str, by, reason: str = "", lock: bool = True) -> Member:
    """Set a member's trust level by hand. With `lock` (the default) automatic promotion leaves
    it alone from now on; without it, promotion may raise it again later."""
    require_verdict(perms.can_set_trust(by, user))
    if level not in TrustLevel.values:
        raise ValidationError({"level": "Choose a trust level."})
    reason = clean_reason(reason, required=False)
    member = _member_for_update(user)
    before = {"trust_level": member.trust_level, "locked": member.trust_level_locked}
    member.trust_level = level
    member.trust_level_locked = bool(lock)
    member.save(update_fields=["trust_level", "trust_level_locked"])
    log(
        actor=by,
        action="set_trust_level",
        target=member,
        reason=reason,
        before=before,
        after={"trust_level": level, "locked": bool(lock)},
    )
    perms.forget_member(user)
    return member
