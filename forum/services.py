"""Every write to the forum: one transactional function per use case.

Guarantees shared by all of them:
- permission is checked here too (forum.permissions), so no caller can skip it; a refusal raises
  `ForumPermissionDenied` carrying the readable reason;
- bad input raises django.core.exceptions.ValidationError with a message per field;
- counters (reply_count, view_count, helpful_count, approved_post_count ...) change only through
  F() expressions or a recomputing UPDATE inside the transaction, so they stay exact under
  concurrent writes;
- stored HTML is always produced by forum.markdown (one renderer, one sanitiser policy);
- forum.signals are sent after commit; search learns of changes from the model signals its
  provider (forum.search_documents) listens to, so a write that must reach the index saves the
  changed row (`save(update_fields=...)`) rather than a queryset `update()`.

The title/body/tag rules and the rendering they call live in forum.post_text, the Member row in
forum.member_services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from forum import permissions as perms
from forum import signals, tasks, thread_stats
from forum.markdown import POLICY_VERSION
from forum.member_services import ensure_member, member_for_posting, refresh_member_stats
from forum.models import (
    Category,
    Member,
    Post,
    PostRevision,
    PostState,
    PostVote,
    Thread,
    ThreadState,
    ThreadStatus,
)
from forum.modlog import log
from forum.post_text import (
    clean_body,
    clean_title,
    parse_tag_names,
    render_body,
    render_for_author,
    tags_named,
)
from forum.thread_stats import refresh_thread_stats
from resourcecenter import roles
from resourcecenter.taskqueue import enqueue_with_change
from search.indexing import drained_by_queued_task

VIEWED_SESSION_KEY = "forum_viewed_threads"


class ForumPermissionDenied(PermissionDenied):
    """A refused action; `str(exc)` is the reason to show."""


def _require(verdict: perms.Verdict) -> None:
    if not verdict:
        raise ForumPermissionDenied(verdict.reason)


def _set_tags(thread: Thread, names: list[str]) -> None:
    thread.tags.set(tags_named(names))


def _after_commit(fn) -> None:
    transaction.on_commit(fn, robust=True)


# --- use cases ---------------------------------------------------------------------------------


@transaction.atomic
def create_thread(
    *,
    author,
    category: Category,
    title: str,
    body: str,
    tags: str | Iterable[str] = (),
    ip_address: str | None = None,
) -> Thread:
    """Start a thread: the thread row and its first post (number 1), in one transaction.

    If the author's posts need approval (permissions.post_requires_approval) both are held: the
    thread is visible only to its author and moderators until approved.
    """
    _require(perms.can_start_thread(author, category))
    title = clean_title(title)
    body = clean_body(body)
    tag_names = parse_tag_names(tags)
    ensure_member(author)
    held = perms.post_requires_approval(author)
    html, restricted, mentioned = render_for_author(author, body)
    now = timezone.now()
    thread = Thread.objects.create(
        title=title,
        category=category,
        author=author,
        created_at=now,
        last_activity_at=now,
        last_post_number=1,
        moderation_state=ThreadState.HELD if held else ThreadState.VISIBLE,
    )
    post = Post.objects.create(
        thread=thread,
        number=1,
        author=author,
        body_markdown=body,
        body_html=html,
        rendered_with_policy_version=POLICY_VERSION,
        restricted_markup=restricted,
        is_staff_answer=roles.is_support_staff(author),
        moderation_state=PostState.HELD if held else PostState.APPROVED,
        ip_address=ip_address,
        created_at=now,
    )
    _set_tags(thread, tag_names)
    if mentioned:
        post.mentions.set(mentioned)
    if not held:
        Member.objects.filter(user=author).update(approved_post_count=F("approved_post_count") + 1)
    refresh_thread_stats(thread)
    thread.refresh_from_db()

    def send():
        signals.thread_created.send(sender=Thread, thread=thread, post=post, author=author)
        signals.post_created.send(sender=Post, post=post, thread=thread, author=author)
        if mentioned:
            signals.mentions_found.send(sender=Post, post=post, users=mentioned)

    _after_commit(send)
    return thread


@transaction.atomic
def create_reply(
    *,
    author,
    thread: Thread,
    body: str,
    quote_of: Post | None = None,
    ip_address: str | None = None,
) -> Post:
    """Add a reply to `thread` (held for approval if the author's posts need it).

    Numbers are handed out gap-free per thread under concurrency by the row-locking UPDATE that
    also returns the thread for the permission check and moves its statistics (exact: the row
    is locked; forum.thread_stats). `is_staff_answer` is stored now and never re-derived. The
    fan-out - search index, notifications, e-mail, trust - is one task queued in this
    transaction (forum.tasks.announce_reply). The reply carries `posts_before` for its
    permalink (thread_stats.posts_before; None: selectors_posts counts).
    """
    _require(perms.can_reply(author, thread))
    body = clean_body(body)
    if quote_of is not None and (
        quote_of.thread_id != thread.pk or not perms.can_see_post_content(author, quote_of)
    ):
        raise ValidationError({"body": "You can only quote visible posts of this thread."})
    member = member_for_posting(author)
    held = perms.post_requires_approval(author)
    html, restricted, mentioned = render_for_author(author, body)
    staff = roles.is_support_staff(author)
    now = timezone.now()
    locked = thread_stats.claim_reply_number(thread, counted=not held, staff=staff, now=now)
    # Checked again on the row as it is now (a lock or a move since the caller read it).
    _require(perms.can_reply(author, locked))
    post = Post.objects.create(
        id=locked.last_post_id if locked.last_post_id_handed_out else None,
        thread=locked,
        number=locked.last_post_number,
        author=author,
        body_markdown=body,
        body_html=html,
        rendered_with_policy_version=POLICY_VERSION,
        restricted_markup=restricted,
        quote_of=quote_of,
        is_staff_answer=staff,
        moderation_state=PostState.HELD if held else PostState.APPROVED,
        ip_address=ip_address,
        created_at=now,
    )
    if mentioned:
        post.mentions.set(mentioned)
    if not held:
        Member.objects.filter(pk=member.pk).update(approved_post_count=F("approved_post_count") + 1)
        if not locked.last_post_id_handed_out:  # not PostgreSQL: the last post set now
            Thread.objects.filter(pk=locked.pk).update(last_post=post)
            locked.last_post_id = post.pk
    post.posts_before = thread_stats.posts_before(locked, post, held=held)
    # Saving the post wrote the thread's search outbox rows (forum.search_documents); the task
    # applies them with the rest of the fan-out, so no drain task of their own is queued.
    drained_by_queued_task()
    mentioned_ids = [user.pk for user in mentioned]
    enqueue_with_change(tasks.announce_reply, post_id=post.pk, mentioned_ids=mentioned_ids)
    return post


@transaction.atomic
def edit_post(*, post: Post, editor, body: str, title: str | None = None, reason: str = "") -> Post:
    """Change a post's text (and, for the question, the thread title), keeping the previous
    version as a PostRevision (who, when, why, what it said before)."""
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    _require(perms.can_edit_post(editor, post))
    body = clean_body(body)
    thread = post.thread
    new_title = clean_title(title) if (title is not None and post.number == 1) else None
    reason = (reason or "").strip()[:300]
    title_changed = new_title is not None and new_title != thread.title
    if body == post.body_markdown and not title_changed:
        return post
    revision = PostRevision.objects.create(
        post=post,
        editor=editor,
        body_markdown=post.body_markdown,
        title=thread.title if post.number == 1 else "",
        reason=reason,
    )
    previously_mentioned = set(post.mentions.values_list("pk", flat=True))
    mentioned = _store_edit(post, editor, body)
    if title_changed:
        Thread.objects.filter(pk=thread.pk).update(title=new_title, slug=slugify(new_title)[:200])
        thread.title, thread.slug = new_title, slugify(new_title)[:200]
    post.mentions.set(mentioned)
    new_mentions = [u for u in mentioned if u.pk not in previously_mentioned]
    if roles.is_moderator(editor) and post.author_id != editor.pk:
        _log_moderator_edit(editor, post, revision, reason)

    def send():
        if new_mentions and post.moderation_state == PostState.APPROVED:
            signals.mentions_found.send(sender=Post, post=post, users=new_mentions)

    _after_commit(send)
    return post


def _store_edit(post: Post, editor, body: str) -> list:
    """Render and save the post's new text (one more edit); returns the users it mentions."""
    author = post.author
    if author is not None and author.pk != editor.pk:
        restricted = post.restricted_markup  # a moderator's edit keeps the author's restriction
    else:
        restricted = not perms.may_post_links(editor)
    post.body_markdown = body
    post.body_html, mentioned = render_body(body, restricted, post.author)
    post.restricted_markup = restricted
    post.rendered_with_policy_version = POLICY_VERSION
    post.edited_at = timezone.now()
    post.edited_by = editor
    post.save(
        update_fields=[
            "body_markdown",
            "body_html",
            "restricted_markup",
            "rendered_with_policy_version",
            "edited_at",
            "edited_by",
        ]
    )
    Post.objects.filter(pk=post.pk).update(edit_count=F("edit_count") + 1)
    post.refresh_from_db(fields=["edit_count"])
    return mentioned


def _log_moderator_edit(editor, post: Post, revision: PostRevision, reason: str) -> None:
    thread = post.thread
    log(
        actor=editor,
        action="edit_post",
        target=post,
        reason=reason,
        before={"body": revision.body_markdown, "title": revision.title},
        after={"body": post.body_markdown, "title": thread.title if post.number == 1 else ""},
    )


@transaction.atomic
def delete_post(*, post: Post, by, reason: str = "") -> Post:
    """Soft-delete a post (the row and its revisions stay; readers see a placeholder).

    Deleting the question deletes the thread. A moderator deleting someone else's post must give
    a reason, and the action is written to the moderation log.
    """
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    _require(perms.can_delete_post(by, post))
    reason = (reason or "").strip()
    own = post.author_id == by.pk
    if not own and len(reason) < 3:
        raise ValidationError({"reason": "Give a reason for deleting someone else's post."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    reason = reason or "Deleted by its author."
    before_state = post.moderation_state
    thread = post.thread
    now = timezone.now()
    post.moderation_state = PostState.DELETED
    post.deleted_reason, post.deleted_by, post.deleted_at = reason, by, now
    post.is_official_answer = False
    post.save(
        update_fields=[
            "moderation_state",
            "deleted_reason",
            "deleted_by",
            "deleted_at",
            "is_official_answer",
        ]
    )
    if post.number == 1:
        Thread.objects.filter(pk=thread.pk).update(moderation_state=ThreadState.DELETED)
    if thread.accepted_answer_id == post.pk:
        Thread.objects.filter(pk=thread.pk, status=ThreadStatus.SOLVED).update(
            status=ThreadStatus.OPEN
        )
        Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
    refresh_thread_stats(thread)
    if post.author_id:
        refresh_member_stats(post.author)
    if not own:
        log(
            actor=by,
            action="delete_post",
            target=post,
            reason=reason,
            before={"moderation_state": before_state},
            after={"moderation_state": PostState.DELETED},
        )
    post.refresh_from_db()
    return post


@transaction.atomic
def vote_helpful(*, post: Post, user) -> bool:
    """Record `user` finding `post` helpful; one vote per user, never on one's own post.

    Returns False if the vote already existed (idempotent). helpful_count moves by F().
    """
    post = Post.objects.select_related("thread__category").get(pk=post.pk)
    _require(perms.can_vote(user, post))
    try:
        with transaction.atomic():
            PostVote.objects.create(post=post, user=user)
    except IntegrityError:
        return False
    Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
    return True


@transaction.atomic
def remove_vote(*, post: Post, user) -> bool:
    """Withdraw a helpful vote; returns False if there was none."""
    deleted, _ = PostVote.objects.filter(post=post, user=user).delete()
    if not deleted:
        return False
    Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") - 1)
    return True


@transaction.atomic
def accept_answer(*, thread: Thread, post: Post, by) -> Thread:
    """Mark `post` as the accepted answer: the thread becomes solved.

    Allowed for the thread's author and support staff. Accepting another reply replaces the
    previous choice. Sends thread_solved after commit.
    """
    thread = Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)
    post = Post.objects.get(pk=post.pk)
    _require(perms.can_accept_answer(by, thread, post))
    if thread.accepted_answer_id == post.pk and thread.status == ThreadStatus.SOLVED:
        return thread
    thread.accepted_answer = post
    thread.status = ThreadStatus.SOLVED
    thread.save(update_fields=["accepted_answer", "status"])
    _after_commit(
        lambda: signals.thread_solved.send(sender=Thread, thread=thread, post=post, by=by)
    )
    return thread


@transaction.atomic
def unaccept_answer(*, thread: Thread, by) -> Thread:
    """Withdraw the accepted answer: the thread is open again (unless closed)."""
    thread = Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)
    _require(perms.can_accept_answer(by, thread))
    thread.accepted_answer = None
    if thread.status == ThreadStatus.SOLVED:
        thread.status = ThreadStatus.OPEN
    thread.save(update_fields=["accepted_answer", "status"])
    return thread


@transaction.atomic
def mark_official_answer(*, post: Post, by, official: bool = True) -> Post:
    """Support staff mark (or unmark) a reply as the official answer of its thread.

    Only one official answer per thread: marking one unmarks any other.
    """
    post = Post.objects.select_for_update().select_related("thread__category").get(pk=post.pk)
    _require(perms.can_mark_official(by, post))
    if official:
        Post.objects.filter(thread_id=post.thread_id, is_official_answer=True).exclude(
            pk=post.pk
        ).update(is_official_answer=False)
    post.is_official_answer = official
    post.save(update_fields=["is_official_answer"])
    refresh_thread_stats(post.thread_id)
    post.refresh_from_db()
    if official:
        _after_commit(
            lambda: signals.official_answer_marked.send(
                sender=Post, post=post, thread=post.thread, by=by
            )
        )
    return post


def record_view(thread: Thread, session=None) -> bool:
    """Count a view of `thread` (once per session if one is given); exact under concurrency."""
    if session is not None:
        seen = list(session.get(VIEWED_SESSION_KEY, []))
        if thread.pk in seen:
            return False
        seen = (seen + [thread.pk])[-200:]
        session[VIEWED_SESSION_KEY] = seen
    Thread.objects.filter(pk=thread.pk).update(view_count=F("view_count") + 1)
    return True


__all__ = [
    "ForumPermissionDenied",
    "accept_answer",
    "create_reply",
    "create_thread",
    "delete_post",
    "edit_post",
    "mark_official_answer",
    "record_view",
    "refresh_thread_stats",
    "remove_vote",
    "unaccept_answer",
    "vote_helpful",
]
