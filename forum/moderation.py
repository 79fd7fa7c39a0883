"""Moderator actions: one transactional function per action, each leaving a log entry.

Why: moderation decides what the Community sees and who may speak, so every decision must be
accountable. Guarantees shared by every function here:
- permission is checked through forum.permissions (a refusal raises ForumPermissionDenied);
- a ModerationLogEntry (who, what, on what, when, why, before/after) is written in the SAME
  transaction as the change: no change without its entry, no entry without its change;
- counters and thread statistics are recomputed (forum.services.refresh_thread_stats /
  refresh_member_stats), trust promotion is re-evaluated when posts are approved;
- bulk variants apply the same per-item rules and skip items the action does not apply to
  (an approved post cannot be "approved" again); they return what actually changed.
- authors and watchers are told after commit (forum.notifications).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from forum import permissions as perms
from forum import trust
from forum.members import ensure_member, refresh_member_stats
from forum.models import (
    Category,
    Flag,
    FlagResolution,
    Member,
    Post,
    PostState,
    Subscription,
    Thread,
    ThreadState,
    ThreadStatus,
    TrustLevel,
)
from forum.modlog import log
from forum.post_text import clean_title
from forum.services import (
    ForumPermissionDenied,
    refresh_thread_stats,
)
from resourcecenter.templatetags.wording import when

REASON_MAX = 1000
MAX_SANCTION_DAYS = 3650


def _require(verdict) -> None:
    if not verdict:
        raise ForumPermissionDenied(verdict.reason)


def _clean_reason(reason: str, *, required: bool) -> str:
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
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
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
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=True)
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
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=True)
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


# --- threads: inline moderator controls ----------------------------------------------------------


def _locked_thread(thread: Thread | int) -> Thread:
    pk = thread if isinstance(thread, int) else thread.pk
    return (
        Thread.objects.select_for_update(of=("self",))
        .select_related("category", "author")
        .get(pk=pk)
    )


def _thread_flag(thread, *, by, field: str, value: bool, reason: str, action: str) -> Thread:
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
    thread = _locked_thread(thread)
    before = getattr(thread, field)
    if before == value:
        return thread
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    log(
        actor=by,
        action=action,
        target=thread,
        reason=reason,
        before={field: before},
        after={field: value},
    )
    return thread


@transaction.atomic
def pin_thread(thread: Thread | int, *, by, pinned: bool = True, reason: str = "") -> Thread:
    """Pin a thread to the top of its category (or unpin it)."""
    action = "pin_thread" if pinned else "unpin_thread"
    return _thread_flag(thread, by=by, field="pinned", value=pinned, reason=reason, action=action)


@transaction.atomic
def lock_thread(thread: Thread | int, *, by, locked: bool = True, reason: str = "") -> Thread:
    """Lock a thread (no replies, no edits) or unlock it."""
    action = "lock_thread" if locked else "unlock_thread"
    return _thread_flag(thread, by=by, field="locked", value=locked, reason=reason, action=action)


@transaction.atomic
def close_thread(thread: Thread | int, *, by, closed: bool = True, reason: str = "") -> Thread:
    """Close a thread (no replies) or reopen it (solved again if it has an accepted answer)."""
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
    thread = _locked_thread(thread)
    before = {"status": thread.status, "duplicate_of": thread.duplicate_of_id}
    if closed:
        status = ThreadStatus.CLOSED
    else:
        status = ThreadStatus.SOLVED if thread.accepted_answer_id else ThreadStatus.OPEN
        thread.duplicate_of = None
    if thread.status == status and before["duplicate_of"] == thread.duplicate_of_id:
        return thread
    thread.status = status
    thread.save(update_fields=["status", "duplicate_of"])
    log(
        actor=by,
        action="close_thread" if closed else "reopen_thread",
        target=thread,
        reason=reason,
        before=before,
        after={"status": status, "duplicate_of": thread.duplicate_of_id},
    )
    return thread


@transaction.atomic
def close_as_duplicate(
    thread: Thread | int, *, original: Thread | int, by, reason: str = ""
) -> Thread:
    """Close a thread as a duplicate of `original`; the page links readers to the original."""
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
    thread = _locked_thread(thread)
    original_pk = original if isinstance(original, int) else original.pk
    original = Thread.objects.filter(pk=original_pk).first()
    if original is None or original.pk == thread.pk:
        raise ValidationError({"original": "Choose another, existing thread as the original."})
    if original.moderation_state != ThreadState.VISIBLE:
        raise ValidationError({"original": "The original must be a published thread."})
    if original.duplicate_of_id == thread.pk:
        raise ValidationError({"original": "That thread is itself a duplicate of this one."})
    before = {"status": thread.status, "duplicate_of": thread.duplicate_of_id}
    thread.status = ThreadStatus.CLOSED
    thread.duplicate_of = original
    thread.save(update_fields=["status", "duplicate_of"])
    log(
        actor=by,
        action="close_duplicate",
        target=thread,
        reason=reason or f"Duplicate of “{original.title}”",
        before=before,
        after={"status": ThreadStatus.CLOSED, "duplicate_of": original.pk},
    )
    return thread


@transaction.atomic
def move_thread(thread: Thread | int, *, category: Category, by, reason: str = "") -> Thread:
    """Move a thread to another category."""
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
    thread = _locked_thread(thread)
    if not category.is_active:
        raise ValidationError({"category": "Choose an active category."})
    if thread.category_id == category.pk:
        return thread
    before = {"category": thread.category.slug}
    thread.category = category
    thread.save(update_fields=["category"])
    log(
        actor=by,
        action="move_thread",
        target=thread,
        reason=reason,
        before=before,
        after={"category": category.slug},
    )
    return thread


def _move_posts(posts: list[Post], target: Thread) -> None:
    """Append `posts` (in order) to `target`, numbering after its last post."""
    start = Thread.objects.filter(pk=target.pk).values_list("last_post_number", flat=True).get()
    existing = target.posts.aggregate(m=Max("number"))["m"] or 0
    start = max(start, existing)
    # Two steps so the (thread, number) constraint never sees a clash mid-way.
    for offset, post in enumerate(posts, start=1):
        Post.objects.filter(pk=post.pk).update(number=100_000_000 + offset)
    for offset, post in enumerate(posts, start=1):
        post.thread, post.number = target, start + offset
        post.save(update_fields=["thread", "number"])  # a save, so search hears of it
    Thread.objects.filter(pk=target.pk).update(last_post_number=start + len(posts))


@transaction.atomic
def merge_thread(source: Thread | int, *, into: Thread | int, by, reason: str = "") -> Thread:
    """Merge `source` into `into`: its posts are appended (in order) to the target thread, its
    watchers watch the target, and `source` is hidden with a pointer (its URL redirects)."""
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
    source = _locked_thread(source)
    target = _locked_thread(into)
    if source.pk == target.pk:
        raise ValidationError({"target": "A thread cannot be merged into itself."})
    if target.merged_into_id or target.moderation_state == ThreadState.DELETED:
        raise ValidationError({"target": "Choose a thread that is still open for posts."})
    posts = list(source.posts.order_by("number"))
    _move_posts(posts, target)
    watchers = Subscription.objects.filter(thread=source).values_list("user_id", flat=True)
    existing = set(Subscription.objects.filter(thread=target).values_list("user_id", flat=True))
    Subscription.objects.bulk_create(
        [Subscription(user_id=u, thread=target) for u in set(watchers) - existing]
    )
    before = {"moderation_state": source.moderation_state, "posts": len(posts)}
    source.merged_into = target
    source.moderation_state = ThreadState.HIDDEN
    source.accepted_answer = None
    source.status = ThreadStatus.CLOSED
    source.reply_count = 0
    source.save(
        update_fields=[
            "merged_into",
            "moderation_state",
            "accepted_answer",
            "status",
            "reply_count",
        ]
    )
    refresh_thread_stats(target)
    refresh_thread_stats(source)
    log(
        actor=by,
        action="merge_thread",
        target=source,
        reason=reason,
        before=before,
        after={"merged_into": target.pk, "moved_posts": [p.pk for p in posts]},
    )
    target.refresh_from_db()
    return target


@transaction.atomic
def split_thread(
    thread: Thread | int,
    *,
    posts: Iterable[Post | int],
    title: str,
    by,
    category: Category | None = None,
    reason: str = "",
) -> Thread:
    """Move the chosen replies of `thread` into a new thread titled `title`; the first of them
    becomes its question. The new thread is published in `category` (default: the same)."""
    _require(perms.can_moderate(by))
    reason = _clean_reason(reason, required=False)
    title = clean_title(title)
    thread = _locked_thread(thread)
    ids = {p if isinstance(p, int) else p.pk for p in posts}
    chosen = list(thread.posts.filter(pk__in=ids).order_by("number"))
    if not chosen or len(chosen) != len(ids):
        raise ValidationError({"posts": "Choose one or more replies of this thread."})
    if any(p.number == 1 for p in chosen):
        raise ValidationError({"posts": "The question stays; choose replies only."})
    first = chosen[0]
    new = Thread.objects.create(
        title=title,
        slug=slugify(title)[:200] or "thread",
        category=category or thread.category,
        author=first.author,
        created_at=first.created_at,
        last_activity_at=first.created_at,
        moderation_state=ThreadState.VISIBLE,
    )
    new.tags.set(thread.tags.all())
    Post.objects.filter(pk__in=[p.pk for p in chosen]).update(quote_of=None)
    _move_posts(chosen, new)
    if first.moderation_state == PostState.HELD:
        Thread.objects.filter(pk=new.pk).update(moderation_state=ThreadState.HELD)
    if thread.accepted_answer_id in ids:
        thread.accepted_answer = None
        if thread.status == ThreadStatus.SOLVED:
            thread.status = ThreadStatus.OPEN
    # Saved even when unchanged: it lost posts, and this save is how search hears of it.
    thread.save(update_fields=["accepted_answer", "status"])
    if first.author_id:
        Subscription.objects.get_or_create(user_id=first.author_id, thread=new)
    refresh_thread_stats(thread)
    refresh_thread_stats(new)
    log(
        actor=by,
        action="split_thread",
        target=thread,
        reason=reason,
        before={"posts": [p.pk for p in chosen]},
        after={"new_thread": new.pk, "title": title},
    )
    new.refresh_from_db()
    return new


# --- members ---------------------------------------------------------------------------------


def _member_for_update(user) -> Member:
    ensure_member(user)
    return Member.objects.select_for_update().select_related("user").get(user=user)


def _sanction(user, *, by, field: str, days: float, reason: str, action: str) -> Member:
    _require(perms.can_sanction(by, user))
    try:
        days = float(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "Give the number of days."}) from None
    if days < 0 or days > MAX_SANCTION_DAYS:
        raise ValidationError({"days": f"Choose between 0 and {MAX_SANCTION_DAYS} days."})
    lifting = days == 0
    reason = _clean_reason(reason, required=not lifting)
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
    _require(perms.can_set_trust(by, user))
    if level not in TrustLevel.values:
        raise ValidationError({"level": "Choose a trust level."})
    reason = _clean_reason(reason, required=False)
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


__all__ = [
    "approve_posts",
    "close_as_duplicate",
    "close_thread",
    "hide_posts",
    "lock_thread",
    "log",
    "merge_thread",
    "move_thread",
    "pin_thread",
    "reject_posts",
    "restore_posts",
    "set_trust_level",
    "silence_member",
    "split_thread",
    "suspend_member",
]
