"""Every read of the forum's listings, with visibility filtered in the query (never after paging);
one thread's posts (the thread page, permalinks, revisions) are read in forum.selectors_posts.

Each selector issues a bounded number of queries whatever the number of threads or posts:
lists are paginated with select_related / prefetch_related, the thread page loads one page of
posts plus the few things around it (accepted answer, staff answer, the reader's votes).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lower
from django.utils import timezone

from forum import permissions as perms
from forum import reader_classes
from forum.cache import PAGE_TTL, remember
from forum.conf import app_settings
from forum.markdown import plain_text
from forum.models import (
    Category,
    Member,
    Post,
    PostState,
    Tag,
    Thread,
    ThreadState,
    ThreadStatus,
)

MAX_PAGE_NUMBER = 1_000_000

SORTS = {
    "activity": ("Latest activity", ("-pinned", "-last_activity_at", "-pk")),
    "newest": ("Newest", ("-created_at", "-pk")),
    "unanswered": ("Unanswered", ("-created_at", "-pk")),
    "top": ("Top", ("-reply_count", "-view_count", "-last_activity_at", "-pk")),
}
FILTERS = {
    "solved": ("Solved", Q(status=ThreadStatus.SOLVED)),
    "unsolved": ("Unsolved", Q(status=ThreadStatus.OPEN)),
    "staff": ("Staff replied", Q(has_staff_reply=True)),
    "noreplies": ("No replies", Q(reply_count=0)),
}


@dataclass
class ThreadListing:
    """A page of threads plus the options the list was made with (for links and headings)."""

    page: Page
    sort: str
    filter: str
    sorts: list[tuple[str, str]] = field(default_factory=list)
    filters: list[tuple[str, str]] = field(default_factory=list)

    @property
    def threads(self):
        return self.page.object_list

    def query_string(self, **changes) -> str:
        """ "?sort=..&filter=.." for this listing with `changes` applied (defaults left out)."""
        params = {"sort": self.sort, "filter": self.filter}
        params.update(changes)
        params = {k: v for k, v in params.items() if v and not (k == "sort" and v == "activity")}
        return "?" + urlencode(params) if params else "?"

    @property
    def sort_links(self) -> list[dict]:
        return [
            {"label": label, "url": self.query_string(sort=key), "active": key == self.sort}
            for key, label in self.sorts
        ]

    @property
    def filter_links(self) -> list[dict]:
        links = [{"label": "All", "url": self.query_string(filter=""), "active": not self.filter}]
        return links + [
            {"label": label, "url": self.query_string(filter=key), "active": key == self.filter}
            for key, label in self.filters
        ]

    @property
    def page_base(self) -> str:
        """Prefix for page links: "?sort=top&" or "?"."""
        query = self.query_string()
        return query if query == "?" else query + "&"


def _page_of_threads(qs, page: int | str, per_page: int, *, shared_as=None) -> Page:
    """One page of the threads in `qs` (filtered and ordered) in three queries whatever the
    list's length: the page's ids with the list's count (a scalar subquery: no row is joined to
    count it), the page's threads with their category, author and last post, their tags.

    Selecting ids first keeps the joins to the 25 threads shown: a signed-in reader's filter
    (visible threads OR their own held ones) cannot use the listing index, and joining before
    sorting made the database join every thread of the list.

    With `shared_as` (a key naming everything `qs` selects: the list's options and the
    readers' forum.reader_classes.visible_threads_class) the page is kept per content generation and
    shared by every reader with that key: no query until the next change."""
    try:
        # Bounded: an absurd number must not overflow the database's OFFSET (a 500).
        wanted = min(max(int(page), 1), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        wanted = 1

    def load() -> tuple[int, int, list[Thread]]:
        paginator = Paginator(qs, per_page)
        offset = (wanted - 1) * per_page
        total = Subquery(qs.order_by().annotate(n=Window(Count("pk"))).values("n")[:1])
        pairs = list(
            qs.annotate(total_rows=total).values_list("pk", "total_rows")[offset:][:per_page]
        )
        paginator.__dict__["count"] = pairs[0][1] if pairs else qs.count()
        page_obj = paginator.get_page(wanted)
        if pairs and page_obj.number == wanted:
            ids = [pk for pk, _ in pairs]
        else:
            ids = list(page_obj.object_list.values_list("pk", flat=True))
        rows = (
            Thread.objects.select_related("category", "author", "last_post__author")
            .prefetch_related("tags")
            .in_bulk(ids)
        )
        return paginator.count, page_obj.number, [rows[pk] for pk in ids if pk in rows]

    if shared_as is None:
        count, number, threads = load()
    else:
        digest = hashlib.sha256(repr((shared_as, wanted, per_page)).encode()).hexdigest()
        count, number, threads = remember(f"threads:{digest}", load)
    # The page's rows are in hand: the paginator only needs the count (never reads `qs`).
    paginator = Paginator([], per_page)
    paginator.__dict__["count"] = count
    return Page(threads, number, paginator)


def _thread_queryset(user):
    return (
        Thread.objects.filter(perms.visible_threads_q(user))
        .select_related("category", "author", "last_post__author")
        .prefetch_related("tags")
    )


def thread_listing(
    user,
    *,
    category: Category | None = None,
    tag: Tag | None = None,
    sort: str = "activity",
    filter: str = "",  # noqa: A002 - the query parameter's name
    page: int | str = 1,
    per_page: int | None = None,
) -> ThreadListing:
    """Threads `user` may see, sorted and filtered, one page of them (3 queries + the
    category-gate query)."""
    sort = sort if sort in SORTS else "activity"
    filter = filter if filter in FILTERS else ""
    qs = _thread_queryset(user)
    if category is not None:
        qs = qs.filter(category=category)
    if tag is not None:
        qs = qs.filter(tags=tag)
    if sort == "unanswered":
        qs = qs.filter(reply_count=0).exclude(status=ThreadStatus.CLOSED)
    if filter:
        qs = qs.filter(FILTERS[filter][1])
    qs = qs.order_by(*SORTS[sort][1])
    shared_as = (
        "listing",
        reader_classes.visible_threads_class(user),
        category.pk if category is not None else None,
        tag.pk if tag is not None else None,
        sort,
        filter,
    )
    return ThreadListing(
        page=_page_of_threads(
            qs, page, per_page or app_settings.THREADS_PER_PAGE, shared_as=shared_as
        ),
        sort=sort,
        filter=filter,
        sorts=[(key, label) for key, (label, _) in SORTS.items()],
        filters=[(key, label) for key, (label, _) in FILTERS.items()],
    )


def categories_with_counts(user) -> list[Category]:
    """Readable categories in order, annotated with visible thread count and last activity
    (the same for every reader of the same categories: kept per content generation)."""
    readable = perms.readable_category_ids(user)
    visible = Q(threads__moderation_state=ThreadState.VISIBLE)

    def load() -> list[Category]:
        return list(
            Category.objects.filter(pk__in=readable)
            .annotate(
                thread_count=Count("threads", filter=visible),
                solved_count=Count(
                    "threads", filter=visible & Q(threads__status=ThreadStatus.SOLVED)
                ),
                last_activity_at=Max("threads__last_activity_at", filter=visible),
            )
            .order_by("position", "name")
        )

    digest = hashlib.sha256(repr(sorted(readable)).encode()).hexdigest()
    return remember(f"categories:{digest}", load)


def category_by_slug(slug: str) -> Category | None:
    """The category at `slug` (kept per access generation: any write to categories moves it)."""
    return remember(
        f"category:{hashlib.sha256(slug.encode()).hexdigest()}",
        lambda: Category.objects.filter(slug=slug).first(),
        access=True,
    )


def tag_by_slug(slug: str) -> Tag | None:
    """The tag at `slug` (kept per content generation: any write to tags moves it)."""
    return remember(
        f"tag:{hashlib.sha256(slug.encode()).hexdigest()}",
        lambda: Tag.objects.filter(slug=slug).first(),
    )


def latest_threads(user, limit: int = 10) -> list[Thread]:
    """The most recently active threads `user` may see (ids first, like _page_of_threads)."""
    qs = _thread_queryset(user).order_by("-last_activity_at", "-pk")
    shared_as = ("latest", reader_classes.visible_threads_class(user))
    return list(_page_of_threads(qs, 1, limit, shared_as=shared_as))


def startable_categories(user) -> list[Category]:
    """Categories `user` may start a thread in (for the ask form)."""
    readable = perms.readable_category_ids(user)
    return [
        c
        for c in Category.objects.filter(pk__in=readable, is_active=True).order_by("position")
        if perms.can_start_thread(user, c)
    ]


def get_thread(pk: int, reader=None, *, cached: bool = False) -> Thread | None:
    """The thread with what every caller needs (its category for the permission check, its
    author for the page). The rarely set links - duplicate_of, merged_into, accepted_answer -
    load on access: their id is on the row, so an unset one costs nothing, and joining them
    all made PostgreSQL plan a six-table join for one row.

    For a signed-in `reader` it also says whether any post of the thread is held or rejected
    (`has_unlisted_posts`: listed to its author and moderators only); without one, every other
    reader sees the same posts (forum.reader_classes.listed_posts_class) and the thread page
    need not ask who wrote them. Anonymous visitors never see such posts: no need to ask.

    With `cached` (reading pages) the row is kept per content generation, so any change to the
    thread, its category, author or posts is read afresh; only its view counter may lag, for
    at most the page cache's lifetime, as on cached pages (forum.cache)."""
    signed_in = perms.is_authenticated(reader)

    def load() -> Thread | None:
        threads = Thread.objects.select_related("category", "author")
        if signed_in:
            unlisted = Post.objects.filter(
                thread_id=OuterRef("pk"),
                moderation_state__in=[PostState.HELD, PostState.REJECTED],
            )
            threads = threads.annotate(has_unlisted_posts=Exists(unlisted))
        return threads.filter(pk=pk).first()

    if not cached:
        return load()
    return remember(f"thread:{pk}:{signed_in}", load, ttl=PAGE_TTL)


# --- similar threads (the ask form's fallback to the search app's suggest API) ----------------

_STOPWORDS = frozenset(
    re.split(
        r"\s+",
        "a an and are as at be but by can do does for from has have how i if in is it my not of "
        "on or so the this to was what when where which who why will with you your after before",
    )
)


def mentionable_members(handles) -> dict[str, Member]:
    """lower-cased handle -> Member (with its user) for the given @handles, in ONE query.

    Only active users count: a deactivated account is never highlighted or notified. Handles
    are matched case-insensitively (an index on LOWER(handle) serves it); if two members'
    handles differ only by case, the older member wins.
    """
    wanted = sorted({(h or "").lower() for h in handles if h})
    if not wanted:
        return {}
    members = (
        Member.objects.annotate(handle_lower=Lower("handle"))
        .filter(handle_lower__in=wanted, user__is_active=True)
        .select_related("user")
        .order_by("-pk")
    )
    return {member.handle_lower: member for member in members}


def similar_threads(user, query: str, *, limit: int = 6) -> list[dict]:
    """Threads whose titles share words with `query`, best match first, in the shape of the
    search app's suggest results ({"kind", "title", "url", "snippet", "solved",
    "staff_answered"})."""
    words = [
        w
        for w in dict.fromkeys(re.findall(r"[\w.-]{3,}", (query or "").lower()))
        if w not in _STOPWORDS
    ][:8]
    if not words:
        return []
    match = Q()
    for word in words:
        match |= Q(title__icontains=word)
    candidates = list(
        Thread.objects.filter(perms.visible_threads_q(user), match)
        .filter(moderation_state=ThreadState.VISIBLE)
        .order_by("-last_activity_at")
        .only("pk", "slug", "title", "status", "has_staff_reply", "reply_count")[:100]
    )

    def score(thread: Thread) -> tuple:
        title = thread.title.lower()
        hits = sum(1 for w in words if w in title)
        return (hits, thread.status == ThreadStatus.SOLVED, thread.has_staff_reply)

    candidates.sort(key=score, reverse=True)
    chosen = candidates[:limit]
    questions = {
        p.thread_id: p.body_markdown
        for p in Post.objects.filter(
            thread__in=chosen, number=1, moderation_state=PostState.APPROVED
        ).only("thread_id", "body_markdown")
    }
    return [
        {
            "kind": "thread",
            "title": t.title,
            "url": t.get_absolute_url(),
            "snippet": plain_text(questions.get(t.pk, ""), 160),
            "solved": t.status == ThreadStatus.SOLVED,
            "staff_answered": t.has_staff_reply,
        }
        for t in chosen
    ]


# --- staff triage ------------------------------------------------------------------------------

TRIAGE_VIEWS = {
    "unanswered": "No reply yet",
    "no_staff": "No staff reply",
}


def triage_listing(
    user, *, view: str = "unanswered", hours: int | None = None, page: int | str = 1
) -> tuple[Page, str, int]:
    """Open threads needing support's attention, newest first.

    "unanswered": no approved reply after `hours` hours. "no_staff": no staff reply yet.
    """
    view = view if view in TRIAGE_VIEWS else "unanswered"
    hours = app_settings.TRIAGE_HOURS if hours is None else max(0, min(int(hours), 24 * 90))
    qs = (
        Thread.objects.filter(perms.visible_threads_q(user))
        .filter(moderation_state=ThreadState.VISIBLE, status=ThreadStatus.OPEN)
        .select_related("category", "author", "last_post__author")
        .prefetch_related("tags")
    )
    if view == "unanswered":
        qs = qs.filter(reply_count=0, created_at__lte=timezone.now() - timedelta(hours=hours))
    else:
        qs = qs.filter(has_staff_reply=False)
    qs = qs.order_by("-created_at", "-pk")
    # "No staff reply" is a plain list (shared like the thread lists); "unanswered" moves with
    # the clock, so it is read each time.
    shared_as = None
    if view == "no_staff":
        shared_as = ("triage", reader_classes.visible_threads_class(user))
    page_obj = _page_of_threads(qs, page or 1, app_settings.THREADS_PER_PAGE, shared_as=shared_as)
    return page_obj, view, hours


def triage_counts(user, hours: int) -> dict[str, int]:
    """How many threads each triage view lists: one query, kept per content generation for
    every reader with the same visible threads. "No reply after `hours` hours" also moves with
    the clock: the count is kept until the next unanswered thread reaches that age."""
    base = Thread.objects.filter(perms.visible_threads_q(user)).filter(
        moderation_state=ThreadState.VISIBLE, status=ThreadStatus.OPEN
    )
    age = timedelta(hours=hours)

    def load() -> tuple[dict[str, int], object]:
        cutoff = timezone.now() - age
        unanswered = Q(reply_count=0)
        counts = base.aggregate(
            unanswered=Count("pk", filter=unanswered & Q(created_at__lte=cutoff)),
            no_staff=Count("pk", filter=Q(has_staff_reply=False)),
            next_due=Min("created_at", filter=unanswered & Q(created_at__gt=cutoff)),
        )
        due = counts.pop("next_due")
        return counts, (due + age if due is not None else None)

    key = repr((hours, reader_classes.visible_threads_class(user)))
    counts, until = remember(
        "triage-counts:" + hashlib.sha256(key.encode()).hexdigest(),
        load,
        still_true=lambda kept: kept[1] is None or timezone.now() < kept[1],
    )
    return counts


# --- feeds -------------------------------------------------------------------------------------


def feed_threads(*, category: Category | None = None, tag: Tag | None = None, limit: int = 30):
    """Newest visible threads (public view) with their question post, for RSS/Atom."""
    from django.contrib.auth.models import AnonymousUser

    qs = (
        Thread.objects.filter(perms.visible_threads_q(AnonymousUser()))
        .filter(moderation_state=ThreadState.VISIBLE)
        .select_related("category", "author")
        .order_by("-created_at", "-pk")
    )
    if category is not None:
        qs = qs.filter(category=category)
    if tag is not None:
        qs = qs.filter(tags=tag)
    threads = list(qs[:limit])
    questions = {
        p.thread_id: p
        for p in Post.objects.filter(
            thread__in=threads, number=1, moderation_state=PostState.APPROVED
        )
    }
    for thread in threads:
        thread.question = questions.get(thread.pk)
    return threads
