"""A thread's denormalised statistics: reply_count, last_post, last_activity_at, has_staff_reply,
first_staff_reply_at and has_official_answer, which always describe its approved replies only.

Two ways to keep them exact, both while the thread row is locked by the writing transaction: a
recomputing UPDATE (`refresh_thread_stats`, after anything that approves, hides, restores,
deletes or moves posts), and, for a new reply, the UPDATE that hands out its number moving them
by what the reply adds (`claim_reply_number`), which costs the same whatever the thread's size.
Part of the forum's write side (forum.services re-exports refresh_thread_stats).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from forum.models import Post, PostState, Thread
from resourcecenter.sequences import next_row_in_sequence


def refresh_thread_stats(thread: Thread | int) -> None:
    """Recompute the thread's denormalised fields from its approved posts, in one UPDATE on
    the row locked just before.

    Call it after anything that approves, hides, restores, deletes or moves a post (moderation
    does too); a new reply moves them itself (claim_reply_number).
    """
    thread_id = thread if isinstance(thread, int) else thread.pk
    with transaction.atomic():
        # Lock the row first: the UPDATE's subqueries read the posts as they were when it
        # started, so a recount that waited on a reply's lock would miss that reply; after
        # this statement the UPDATE starts (and reads) once the reply has committed.
        list(Thread.objects.select_for_update().filter(pk=thread_id).values_list("pk"))
        _recount(thread_id)


def _recount(thread_id: int) -> None:
    approved = Post.objects.filter(thread_id=OuterRef("pk"), moderation_state=PostState.APPROVED)
    replies = approved.filter(number__gt=1)
    staff_replies = replies.filter(is_staff_answer=True)
    latest = approved.order_by("-number")
    Thread.objects.filter(pk=thread_id).update(
        reply_count=Coalesce(
            Subquery(
                replies.order_by().values("thread_id").annotate(n=Count("pk")).values("n")[:1]
            ),
            Value(0),
        ),
        last_post=Subquery(latest.values("pk")[:1]),
        last_activity_at=Coalesce(Subquery(latest.values("created_at")[:1]), F("created_at")),
        has_staff_reply=Exists(staff_replies),
        first_staff_reply_at=Subquery(
            staff_replies.order_by()
            .values("thread_id")
            .annotate(t=Min("created_at"))
            .values("t")[:1]
        ),
        has_official_answer=Exists(replies.filter(is_official_answer=True)),
    )


def claim_reply_number(thread: Thread, *, counted: bool, staff: bool, now: dt.datetime) -> Thread:
    """Hand out the next post number of `thread` and return its row as it now stands, locked
    until the transaction ends (for the permission check), in ONE statement.

    A `counted` (approved) reply written at `now` also moves the statistics in that statement:
    one more reply, the last activity, the staff markers, and on PostgreSQL the last post - the
    new post's id is taken from its sequence here (`last_post_id_handed_out`: create the post
    with it; Django's foreign keys are checked at commit, when the post exists). Elsewhere the
    caller sets last_post once the post has its id.
    """
    also = {}
    next_id = _next_post_id() if counted else None
    if counted:
        also = {"reply_count": F("reply_count") + 1, "last_activity_at": Value(now)}
        if next_id is not None:
            also["last_post"] = next_id
        if staff:
            also["has_staff_reply"] = Value(True)
            also["first_staff_reply_at"] = Coalesce(F("first_staff_reply_at"), Value(now))
    locked = next_row_in_sequence(Thread.objects.filter(pk=thread.pk), "last_post_number", **also)
    locked.last_post_id_handed_out = next_id is not None
    # The category is the caller's (read for its own check) unless the thread moved meanwhile.
    if locked.category_id == thread.category_id:
        locked.category = thread.category
    return locked


def _next_post_id() -> RawSQL | None:
    """On PostgreSQL, the next value of the posts' id sequence (never handed out twice, even
    after a rollback); elsewhere None."""
    if transaction.get_connection().vendor != "postgresql":
        return None
    return RawSQL(  # noqa: S611 - constant SQL, the table and column passed as parameters
        "nextval(pg_get_serial_sequence(%s, %s))", (Post._meta.db_table, Post._meta.pk.column)
    )


def posts_before(thread: Thread, post: Post, *, held: bool) -> int | None:
    """How many posts of `thread` the author of `post` (just numbered, the row still locked)
    sees before it, when the counters tell: every number below it when they all hold approved
    replies (the question is listed to anyone who may reply: a thread is visible exactly while
    its question is approved, and moderators see every post). None when only counting can
    tell (a held, hidden or moved post below it)."""
    approved_before = thread.reply_count - (0 if held else 1)
    return post.number - 1 if approved_before == post.number - 2 else None
