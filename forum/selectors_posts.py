"""Reads of one thread's posts: the thread page (one page of posts and everything around it, in
a bounded number of queries), a post's page and permalink, its revisions and its meta
description. Visibility is filtered in the query (forum.permissions), as in forum.selectors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery

from forum import permissions as perms
from forum import reader_classes
from forum.cache import reader_generation, remember
from forum.conf import app_settings
from forum.markdown import plain_text
from forum.models import Post, PostState, PostVote, Tag, Thread
from forum.selectors import MAX_PAGE_NUMBER


def post_description(post: Post, limit: int = 160) -> str:
    """Plain-text summary of a post for the page's meta description.

    Cached by the text itself (a content hash), so an edit can never show an old summary and
    the Markdown parser runs once per version of the post, not once per view."""
    from django.core.cache import cache

    digest = hashlib.sha256(post.body_markdown.encode()).hexdigest()
    key = f"forum:description:{limit}:{digest}"
    text = cache.get(key)
    if text is None:
        text = plain_text(post.body_markdown, limit)
        cache.set(key, text, 24 * 3600)
    return text


@dataclass
class ThreadPage:
    """What the thread page shows: one page of posts and everything around it."""

    thread: Thread
    page: Page
    question: Post | None
    accepted_answer: Post | None
    staff_answer: Post | None
    voted_post_ids: set[int]
    tags: list[Tag]

    @property
    def posts(self):
        return self.page.object_list


def _posts_queryset(user, thread: Thread):
    return (
        Post.objects.filter(perms.listed_posts_q(user), thread=thread)
        .select_related("author", "author__forum_member", "quote_of__author")
        .order_by("number")
    )


def _counted_page(queryset, page: int | str, per_page: int, *, count) -> tuple[int, int, list]:
    """(total, page number, rows) of one page of `queryset` with the total in the same query:
    `count` is a scalar subquery (PostgreSQL runs it once), unlike COUNT(*) OVER () which would
    build every row of the list just to count it. A page number past the end falls back to the
    last page."""
    paginator = Paginator(queryset, per_page)
    try:
        # Bounded: an absurd number must not overflow the database's OFFSET (a 500).
        wanted = min(max(int(page), 1), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        wanted = 1
    offset = (wanted - 1) * per_page
    rows = list(queryset.annotate(total_rows=count)[offset : offset + per_page])
    paginator.__dict__["count"] = (rows[0].total_rows or 0) if rows else queryset.count()
    page_obj = paginator.get_page(wanted)
    if not rows or page_obj.number != wanted:
        rows = list(page_obj.object_list)
    return paginator.count, page_obj.number, rows


def thread_page(user, thread: Thread, *, page: int | str = 1) -> ThreadPage:
    """The thread page's data in a bounded number of queries whatever the size: the page of
    posts with their count (1); the reader's votes (1, or none when the page is loaded for
    them or they are kept for the reader); the thread's tags (1); the accepted answer, the
    staff answer's link and (on later pages) the question (1, together).

    Everything but the votes is the same for every reader with the same
    forum.reader_classes.listed_posts_class and kept per content generation (a vote moves it too: it
    writes the post's helpful_count), so a page read again costs the votes query only."""
    signed_in = perms.is_authenticated(user)
    wanted = page
    voted: set[int] | None = None
    # Read before the page's query: its votes may be kept only if no vote came in meanwhile.
    votes_at = reader_generation() if signed_in else None

    def load() -> tuple[int, int, list[Post]]:
        nonlocal voted
        posts = _posts_queryset(user, thread)
        if signed_in:
            posts = posts.annotate(
                reader_voted=Exists(PostVote.objects.filter(user=user, post_id=OuterRef("pk")))
            )
        listed = (
            Post.objects.filter(perms.listed_posts_q(user), thread_id=thread.pk)
            .order_by()
            .values("thread_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        total, number, rows = _counted_page(
            posts, wanted, app_settings.POSTS_PER_PAGE, count=Subquery(listed)
        )
        # The votes are this reader's: kept for this request, never in the shared copy.
        voted = {p.pk for p in rows if getattr(p, "reader_voted", False)}
        for post in rows:
            post.__dict__.pop("reader_voted", None)
            post.__dict__.pop("total_rows", None)
        return total, number, rows

    key = repr((thread.pk, reader_classes.listed_posts_class(user, thread), _page_key(page)))
    total, number, page_posts = remember("posts:" + hashlib.sha256(key.encode()).hexdigest(), load)
    voted = _reader_votes(user, page_posts, known=voted, known_at=votes_at) if signed_in else set()
    paginator = Paginator([], app_settings.POSTS_PER_PAGE)
    paginator.__dict__["count"] = total
    page_obj = Page(page_posts, number, paginator)
    on_page = {p.pk: p for p in page_posts}
    question = next((p for p in page_posts if p.number == 1), None)
    accepted, staff_answer, published_question = _answers(thread, on_page, question is None)
    # Later pages only need the question for the meta description: the published one.
    question = question or published_question
    return ThreadPage(
        thread=thread,
        page=page_obj,
        question=question,
        accepted_answer=accepted,
        staff_answer=staff_answer,
        voted_post_ids=voted,
        tags=remember(f"tags:{thread.pk}", lambda: list(thread.tags.all())),
    )


def _page_key(page) -> int:
    """The page number a request asks for, as the shared page cache keys it."""
    try:
        return min(max(int(page), 1), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        return 1


def _reader_votes(user, posts: list[Post], *, known=None, known_at=None) -> set[int]:
    """Which of `posts` the reader marked helpful (one query, kept per reader generation - a
    vote moves it, forum.cache; none for an empty page). `known`: the votes the page's own
    query read, under reader generation `known_at`; kept instead of asking again unless a
    vote moved the generation since (then they may be stale)."""
    if not posts:
        return set()
    ids = [p.pk for p in posts]
    digest = hashlib.sha256(repr(ids).encode()).hexdigest()

    def load() -> set[int]:
        # remember() read the generation of its key before calling this: equal to known_at
        # now means no vote was written between the page's query and the key.
        if known is not None and known_at == reader_generation():
            return known
        return set(
            PostVote.objects.filter(user=user, post_id__in=ids).values_list("post_id", flat=True)
        )

    return remember(f"votes:{user.pk}:{digest}", load, reader=True)


def _answers(
    thread: Thread, on_page: dict[int, Post], need_question: bool
) -> tuple[Post | None, Post | None, Post | None]:
    """(accepted answer, staff answer, question) of `thread` - published ones only, the same
    for every reader - in at most one query, kept per content generation; the question only
    when `need_question` (it is not on the page)."""
    if not thread.accepted_answer_id and not thread.has_staff_reply and not need_question:
        return None, None, None

    def load() -> tuple[Post | None, Post | None, Post | None]:
        staff_pick = (
            Post.objects.filter(
                thread_id=thread.pk,
                number__gt=1,
                moderation_state=PostState.APPROVED,
                is_staff_answer=True,
            )
            .order_by("-is_official_answer", "number")
            .values("pk")[:1]
        )
        wanted = Q(number=1) if need_question else Q(pk__in=[])
        if thread.accepted_answer_id:
            wanted |= Q(pk=thread.accepted_answer_id)
        if thread.has_staff_reply:
            wanted |= Q(pk=Subquery(staff_pick))
        rows = list(
            Post.objects.filter(wanted, thread_id=thread.pk, moderation_state=PostState.APPROVED)
            .select_related("author", "author__forum_member", "quote_of__author")
            .annotate(staff_pick=Subquery(staff_pick))
        )
        accepted = next((p for p in rows if p.pk == thread.accepted_answer_id), None)
        staff = next((p for p in rows if p.pk == p.staff_pick), None)
        question = next((p for p in rows if p.number == 1), None) if need_question else None
        return accepted, staff, question

    accepted, staff, question = remember(
        f"answers:{thread.pk}:{thread.accepted_answer_id}:{thread.has_staff_reply}:{need_question}",
        load,
    )
    if accepted is not None:
        accepted = on_page.get(accepted.pk, accepted)
    return accepted, staff, question


def page_number_of_post(user, post: Post) -> int:
    """The page of the thread on which `post` appears for `user` (for permalinks). A reply
    just posted may say it for its author (`posts_before`, forum.services.create_reply):
    then nothing is counted."""
    before = getattr(post, "posts_before", None)
    if before is None or not perms.is_authenticated(user) or user.pk != post.author_id:
        before = (
            Post.objects.filter(perms.listed_posts_q(user), thread_id=post.thread_id)
            .filter(number__lt=post.number)
            .count()
        )
    return before // app_settings.POSTS_PER_PAGE + 1


def post_permalink(user, post: Post) -> str:
    thread = post.thread
    page = page_number_of_post(user, post)
    suffix = f"?page={page}" if page > 1 else ""
    return f"{thread.get_absolute_url()}{suffix}#post-{post.pk}"


def get_post(pk: int) -> Post | None:
    return (
        Post.objects.select_related("thread__category", "thread__author", "author")
        .filter(pk=pk)
        .first()
    )


def post_revisions(post: Post):
    return post.revisions.select_related("editor").order_by("-created_at", "-pk")
