"""Which readers see the same forum rows: keys for sharing cached list and thread pages.

Readers with the same key see the same threads in every list (visible_threads_class) and the
same posts on a thread page (listed_posts_class), so forum.selectors keeps one copy of a page's
rows per key and content generation. The keys follow forum.permissions' queryset rules
(visible_threads_q, listed_posts_q): a change there needs a change here.
"""

from __future__ import annotations

from forum import permissions as perms
from forum.cache import remember
from forum.models import Post, PostState, Thread, ThreadState
from resourcecenter import roles


def visible_threads_class(user) -> tuple:
    """A key for the rows visible_threads_q(user) selects: readers with the same key see the
    same threads in every list, so a list page's rows can be kept once for all of them
    (forum.selectors, per content generation).

    The key is the readable categories plus the reader's kind; a member's own held threads
    make the key theirs alone only while they have one (one query per content generation,
    shared by every reader)."""
    readable = tuple(sorted(perms.readable_category_ids(user)))
    if roles.is_moderator(user):
        return (readable, "moderator")
    if perms.is_authenticated(user) and user.pk in _held_thread_authors():
        return (readable, "author", user.pk)
    return (readable, "reader")


def _held_thread_authors() -> frozenset[int]:
    return remember(
        "held-thread-authors",
        lambda: frozenset(
            Thread.objects.filter(moderation_state=ThreadState.HELD)
            .order_by()
            .values_list("author_id", flat=True)
            .distinct()
        ),
    )


def listed_posts_class(user, thread: Thread) -> tuple:
    """A key for the posts listed_posts_q(user) lists in `thread` (as visible_threads_class):
    everyone but moderators shares it unless they wrote a held or rejected post there (one
    query per thread and content generation, none when the thread was loaded with
    `has_unlisted_posts` False: forum.selectors.get_thread)."""
    if roles.is_moderator(user):
        return ("moderator",)
    if not getattr(thread, "has_unlisted_posts", True):
        return ("reader",)
    if perms.is_authenticated(user) and user.pk in _unlisted_post_authors(thread.pk):
        return ("author", user.pk)
    return ("reader",)


def _unlisted_post_authors(thread_id: int) -> frozenset[int]:
    return remember(
        f"unlisted-post-authors:{thread_id}",
        lambda: frozenset(
            Post.objects.filter(
                thread_id=thread_id, moderation_state__in=[PostState.HELD, PostState.REJECTED]
            )
            .order_by()
            .values_list("author_id", flat=True)
            .distinct()
        ),
    )
