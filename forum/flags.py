"""Flags: any signed-in member can report a post; the community can hide abuse before staff wake.

Why: moderators cannot read everything as it is written. A flag (spam / offensive / off-topic /
other + an optional note) puts the post in the moderation queue; when enough *distinct trusted*
members flag the same post (FORUM_FLAG_HIDE_THRESHOLD, default 3; trusted = trust level
FORUM_FLAG_TRUSTED_LEVELS or a moderator), it is hidden at once pending a moderator's review
(logged in the moderation log with no actor). One flag per member and post (database
constraint); flagging one's own post is refused (forum.permissions.can_flag).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from forum import moderation
from forum import permissions as perms
from forum.conf import app_settings
from forum.models import Flag, FlagReason, Member, Post, PostState
from forum.services import ForumPermissionDenied
from resourcecenter.roles import Power, users_with_power_q

NOTE_MAX = 500


def hide_threshold() -> int:
    return app_settings.FLAG_HIDE_THRESHOLD


def trusted_levels() -> tuple[str, ...]:
    return app_settings.FLAG_TRUSTED_LEVELS


def trusted_flag_count(post: Post) -> int:
    """Distinct trusted members with an open flag on `post` (one query)."""
    open_flags = Flag.objects.filter(post=post, resolved_at__isnull=True)
    trusted_members = Member.objects.filter(trust_level__in=trusted_levels()).values("user_id")
    return (
        open_flags.filter(
            Q(reporter_id__in=trusted_members)
            | users_with_power_q(Power.MODERATE_FORUM, prefix="reporter__")
        )
        .values("reporter_id")
        .distinct()
        .count()
    )


@transaction.atomic
def flag_post(*, post: Post, reporter, reason: str, note: str = "") -> Flag:
    """Record `reporter`'s flag on `post`; hide the post if the trusted-flag threshold is met.

    Raises ValidationError for a bad reason, a note that is too long, an "other" flag without a
    note, or a second flag by the same member; ForumPermissionDenied if flagging is not allowed.
    """
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    verdict = perms.can_flag(reporter, post)
    if not verdict:
        raise ForumPermissionDenied(verdict.reason)
    if reason not in FlagReason.values:
        raise ValidationError({"reason": "Choose why you are flagging this post."})
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
    if reason == FlagReason.OTHER and len(note) < 3:
        raise ValidationError({"note": "Tell the moderators what is wrong with this post."})
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, reporter=reporter, reason=reason, note=note)
    except IntegrityError:
        raise ValidationError(
            {"reason": "You have already flagged this post; a moderator will look at it."}
        ) from None
    if post.moderation_state == PostState.APPROVED:
        count = trusted_flag_count(post)
        if count >= hide_threshold():
            moderation.hide_post_automatically(post, flag_count=count)
    return flag


def has_flagged(user, post: Post) -> bool:
    return perms.is_authenticated(user) and Flag.objects.filter(post=post, reporter=user).exists()
