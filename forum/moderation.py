"""Moderator actions on posts (the moderation queue): one transactional function per action, each
leaving a log entry. Actions on threads are in forum.moderation_threads, on members in
forum.moderation_members; the shared checks (require_verdict, clean_reason) live here.

Why: moderation decides what the Community sees and who may speak, so every decision must be
accountable. Guarantees shared by every function here:
- permission is checked through forum.permissions (a refusal raises ForumPermissionDenied);
- a ModerationLogEntry (who, what, on what, when, why, before/after) is written in the SAME
  transaction as the change: no change without its entry, no entry without its change;
- counters and thread statistics are recomputed (forum.services.refresh_thread_stats /
  forum.member_services.refresh_member_stats), trust promotion is re-evaluated when posts are
  approved;
- bulk variants apply the same per-item rules and skip items the action does not apply to
  (an approved post cannot be "approved" again); they return what actually changed.
- authors and watchers are told after commit (forum.notifications).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from forum import permissions as perms
from forum import trust
from forum.member_services import refresh_member_stats
from forum.models import Flag, FlagResolution, Post, PostState, Thread, ThreadState, ThreadStatus
from forum.modlog import log
from forum.services import ForumPermissionDenied, refresh_thread_stats

REASON_MAX = 1000
MAX_SANCTION_DAYS = 3650


def require_verdict(verdict) -> None:
    if not verdict:
        raise ForumPermissionDenied(verdict.reason)


def clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and len(reason) < 3:
        raise ValidationError({"reason": "Give a reason (it is shown in the moderation log)."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


def _after_commit(fn) -> None:
    transaction.on_commit(fn, robust=True)


def _locked_posts(posts: Iterable[Post | int]) -> list[Post]:
    ids = [p if isinstance(p, int) else p.pk for p in posts]
    return list(
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__category", "author")
        .filter(pk__in=ids)
        .order_by("thread_id", "number")
    )


def _resolve_flags(post: Post, by, resolution: str) -> int:
    return Flag.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution
    )


def _set_post_state(post: Post, state: str) -> None:
    """Change a post's state; the question carries its thread's state along."""
    post.moderation_state = state
    post.save(update_fields=["moderation_state"])  # a save, so search hears of it
    if post.number == 1:
        thread_state = {
            PostState.APPROVED: ThreadState.VISIBLE,
            PostState.HELD: ThreadState.HELD,
            PostState.DELETED: ThreadState.DELETED,
        }.get(state, ThreadState.HIDDEN)
        post.thread.moderation_state = thread_state
        post.thread.save(update_fields=["moderation_state"])


def _finish_posts(changed: list[Post]) -> None:
    for thread_id in {p.thread_id for p in changed}:
        refresh_thread_stats(thread_id)
    for author in {p.author for p in changed if p.author_id}:
        refresh_member_stats(author)


# --- posts: the moderation queue ----------------------------------------------------------------


@transaction.atomic
def approve_posts(posts: Iterable[Post | int], *, by, reason: str = "") -> list[Post]:
    """Publish held posts (and their threads), or clear a flagged post's open flags.

    Approving a held post makes it visible, counts it for its author (and may promote them), and
    tells watchers and mentioned members as if it had just been posted. Approving a visible
    post with open flags dismisses the flags. Hidden or rejected posts are restored.
    Returns the posts that changed.
    """
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
    changed, published = [], []
    for post in _locked_posts(posts):
        before = post.moderation_state
        if before == PostState.DELETED:
            continue
        dismissed = _resolve_flags(post, by, FlagResolution.DISMISSED)
        if before == PostState.APPROVED and not dismissed:
            continue
        if before != PostState.APPROVED:
            _set_post_state(post, PostState.APPROVED)
            if before == PostState.HELD:
                published.append(post)
        log(
            actor=by,
            action="approve_post" if before != PostState.APPROVED else "dismiss_flags",
            target=post,
            reason=reason,
            before={"moderation_state": before, "open_flags": dismissed},
            after={"moderation_state": PostState.APPROVED, "open_flags": 0},
        )
        changed.append(post)
    _finish_posts(changed)
    for author in {p.author for p in changed if p.author_id}:
        trust.maybe_promote(author)
    if published:
        from forum import notifications

        ids = [p.pk for p in published]
        _after_commit(lambda: notifications.notify_published(ids))
    return changed


def _remove_posts(posts, *, by, reason, target_state, action, from_states, resolution):
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=True)
    changed = []
    for post in _locked_posts(posts):
        before = post.moderation_state
        if before not in from_states:
            continue
        _set_post_state(post, target_state)
        flags = _resolve_flags(post, by, resolution)
        if post.number != 1 and post.thread.accepted_answer_id == post.pk:
            Thread.objects.filter(pk=post.thread_id).update(accepted_answer=None)
            Thread.objects.filter(pk=post.thread_id, status=ThreadStatus.SOLVED).update(
                status=ThreadStatus.OPEN
            )
        if post.is_official_answer:
            Post.objects.filter(pk=post.pk).update(is_official_answer=False)
        log(
            actor=by,
            action=action,
            target=post,
            reason=reason,
            before={"moderation_state": before, "open_flags": flags},
            after={"moderation_state": target_state, "open_flags": 0},
        )
        changed.append(post)
    _finish_posts(changed)
    if changed:
        from forum import notifications

        ids, verb = [p.pk for p in changed], action.split("_")[0]
        _after_commit(lambda: notifications.notify_moderated(ids, verb=verb, reason=reason))
    return changed


@transaction.atomic
def reject_posts(posts: Iterable[Post | int], *, by, reason: str) -> list[Post]:
    """Refuse held posts: they stay visible only to their author (who is told why)."""
    return _remove_posts(
        posts,
        by=by,
        reason=reason,
        target_state=PostState.REJECTED,
        action="reject_post",
        from_states={PostState.HELD},
        resolution=FlagResolution.UPHELD,
    )


@transaction.atomic
def hide_posts(posts: Iterable[Post | int], *, by, reason: str) -> list[Post]:
    """Hide published posts (readers see a placeholder); open flags count as upheld."""
    return _remove_posts(
        posts,
        by=by,
        reason=reason,
        target_state=PostState.HIDDEN,
        action="hide_post",
        from_states={PostState.APPROVED},
        resolution=FlagResolution.UPHELD,
    )


@transaction.atomic
def restore_posts(posts: Iterable[Post | int], *, by, reason: str) -> list[Post]:
    """Bring hidden, rejected or deleted posts back (and their threads, for questions)."""
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=True)
    changed = []
    for post in _locked_posts(posts):
        before = post.moderation_state
        if before not in (PostState.HIDDEN, PostState.REJECTED, PostState.DELETED):
            continue
        _set_post_state(post, PostState.APPROVED)
        if before == PostState.DELETED:
            Post.objects.filter(pk=post.pk).update(
                deleted_reason="", deleted_by=None, deleted_at=None
            )
        log(
            actor=by,
            action="restore_post",
            target=post,
            reason=reason,
            before={"moderation_state": before},
            after={"moderation_state": PostState.APPROVED},
        )
        changed.append(post)
    _finish_posts(changed)
    for author in {p.author for p in changed if p.author_id}:
        trust.maybe_promote(author)
    return changed


def hide_post_automatically(post: Post, *, flag_count: int) -> bool:
    """Hide a post because enough trusted members flagged it (called by forum.flags inside its
    transaction). Logged with no actor."""
    before = post.moderation_state
    if before != PostState.APPROVED:
        return False
    _set_post_state(post, PostState.HIDDEN)
    log(
        actor=None,
        action="auto_hide_post",
        target=post,
        reason=f"Hidden automatically after {flag_count} flags from trusted members; "
        "awaiting review.",
        before={"moderation_state": before},
        after={"moderation_state": PostState.HIDDEN},
    )
    _finish_posts([post])
    return True


__all__ = [
    "approve_posts",
    "hide_posts",
    "log",
    "reject_posts",
    "restore_posts",
]
