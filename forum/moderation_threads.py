"""Moderator actions on threads: pin, lock, close, close as a duplicate, move, merge and split.

The guarantees of forum.moderation hold here too: permission checked (a refusal raises
ForumPermissionDenied), the log entry written in the same transaction as the change, and thread
statistics recomputed for every thread a post left or joined."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from forum import permissions as perms
from forum.models import Category, Post, PostState, Subscription, Thread, ThreadState, ThreadStatus
from forum.moderation import clean_reason, require_verdict
from forum.modlog import log
from forum.post_text import clean_title
from forum.services import refresh_thread_stats


def _locked_thread(thread: Thread | int) -> Thread:
    pk = thread if isinstance(thread, int) else thread.pk
    return (
        Thread.objects.select_for_update(of=("self",))
        .select_related("category", "author")
        .get(pk=pk)
    )


def _thread_flag(thread, *, by, field: str, value: bool, reason: str, action: str) -> Thread:
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
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
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
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
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
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
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
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
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
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
    require_verdict(perms.can_moderate(by))
    reason = clean_reason(reason, required=False)
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
