"""The forum's caches, and the one rule that keeps them exact: the *generations*.

Every cached answer (an anonymous visitor's rendered page, a signed-in reader's standing) is
stored under the generation current when it was computed. A generation is a counter in the
shared cache that moves whenever the database changes something it covers:

- the content generation moves on a write statement to any table except the few listed in
  UNTRACKED_TABLES (sessions, the cache table, queues, notifications ...): anonymous pages are
  keyed by it;
- the access generation moves only on writes to the tables that decide who may see or do what
  (ACCESS_PREFIXES: groups, permissions, accounts, community standing, categories, plans and
  subscriptions, site settings): readable categories, a reader's groups, permissions and
  standing, and the support settings are keyed by it, so a new reply does not evict them;
- the reader generation moves on writes to the per-reader tables (READER_TABLES: notifications,
  subscriptions, helpful votes), which no shared page shows: a signed-in reader's unread count,
  watch buttons and votes are kept per reader under it.

The statements are watched on the database connection itself (an execute wrapper installed for
every connection), so no write path - a service, a moderation action, an admin screen, a plan
change in tiers, a raw UPDATE - can forget to invalidate: a new reply, an edit, a hidden post, a
moved thread, a changed permission or plan all make every entry computed before it unreachable.

Inside a transaction the generations move once, after the commit (a rolled-back transaction
does not move them). That is exact: a reader that read the generation before the commit may have
read the old rows, but it stores what it saw under a generation nobody asks for once the bump
follows; a reader that reads the new generation reads after the commit. Bumping after the commit
also keeps the cache (which may be a database table) out of the writing transaction's locks.

What is not a change: counting a view (`view_count + 1`) leaves the generations alone, so the
view counter on a cached page may lag until the next change or PAGE_TTL; relative times
("5 minutes ago") likewise age for at most PAGE_TTL.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from resourcecenter import pagecache

GENERATION_KEY = "forum:generation"
ACCESS_KEY = "forum:access-generation"
READER_KEY = "forum:reader-generation"
PAGE_TTL = getattr(settings, "FORUM_PAGE_CACHE_SECONDS", 60)
VIEWER_TTL = 300

# Writes to these tables never change what a forum page shows (to anyone the caches serve).
UNTRACKED_TABLES = frozenset(
    {
        "django_session",
        "django_tasks_database_dbtaskresult",  # the task queue (django_tasks_db's table)
        "search_indexoutbox",
        "forum_notification",
        "forum_subscription",
        "forum_flag",
        "forum_postvote",
        "forum_moderationlogentry",
        *(
            options.get("LOCATION", "")
            for options in settings.CACHES.values()
            if options.get("BACKEND", "").endswith("DatabaseCache")
        ),
    }
)
# What one reader sees of these (unread count, watch state, own votes) is kept per reader under
# the reader generation, which a write to any of them moves.
READER_TABLES = frozenset({"forum_notification", "forum_subscription", "forum_postvote"})
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I
)
_VIEW_COUNT = re.compile(
    r'^UPDATE "forum_thread" SET "view_count" = \("forum_thread"\."view_count" \+ %s\) WHERE'
)


# --- the generations ---------------------------------------------------------------------------

# Writes to tables with these prefixes may change who may see or do what (groups, permissions,
# accounts, community standing, categories, plans and subscriptions, site settings): they move
# the access generation as well as the content generation.
ACCESS_PREFIXES = ("auth_", "resourcecenter_", "forum_member", "forum_category", "tiers_")
# Counting a member's approved posts changes no verdict a page shows (the write paths re-read
# the member before deciding whether a post needs approval).
_POST_COUNT = re.compile(r'^UPDATE "forum_member" SET "approved_post_count" = ')


def generation(key: str = GENERATION_KEY) -> int:
    """The current content generation (started from the clock, so an evicted counter never
    repeats)."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key)
    return value


def access_generation() -> int:
    """The current access generation: moves only when who-may-see-what may have changed."""
    return generation(ACCESS_KEY)


def reader_generation() -> int:
    """The current reader generation: moves on any write to READER_TABLES."""
    return generation(READER_KEY)


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # evicted or never set: a fresh start from the clock is unique too
        cache.set(key, time.time_ns(), timeout=None)


def bump(*, access: bool = True) -> None:
    """Make every cached forum page (and with `access`, every cached verdict) unreachable."""
    _incr(GENERATION_KEY)
    if access:
        _incr(ACCESS_KEY)


def classify(sql: str) -> str | None:
    """None if a statement changes nothing a forum page shows, else "content", "access" or
    "reader" (a per-reader table: READER_TABLES)."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    if match[1] in READER_TABLES:
        return "reader"
    if match[1] in UNTRACKED_TABLES or _VIEW_COUNT.match(sql):
        return None
    if match[1].startswith(ACCESS_PREFIXES) and not _POST_COUNT.match(sql):
        return "access"
    return "content"


def _after_commit() -> None:
    bump(access=False)


def _after_access_commit() -> None:
    bump(access=True)


def _after_reader_commit() -> None:
    _incr(READER_KEY)


_BUMPS = {"content": _after_commit, "access": _after_access_commit, "reader": _after_reader_commit}


def _written(connection, kind: str) -> None:
    callback = _BUMPS[kind]
    if not connection.in_atomic_block:
        callback()  # autocommit: the write is already visible
        return
    if connection.atomic_blocks[0]._from_testcase:
        # A test case's transaction is rolled back, never committed: for the test, each write
        # is final the moment it runs.
        callback()
    if not any(func is callback for _, func, _ in connection.run_on_commit):
        transaction.on_commit(callback, using=connection.alias, robust=True)


def _track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    kind = classify(sql) if isinstance(sql, str) else None
    if kind is not None:
        _written(context["connection"], kind)
    return result


def install(connection) -> None:
    if _track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_track_writes)


def _on_connection_created(sender, connection, **kwargs):
    install(connection)


def connect() -> None:
    """Watch writes on every database connection (called from ForumConfig.ready), and give the
    content generation to the anonymous page cache (resourcecenter.pagecache)."""
    from django.db import connections

    connection_created.connect(_on_connection_created, dispatch_uid="forum_cache_writes")
    for connection in connections.all(initialized_only=True):
        install(connection)
    # The anonymous Resource Center pages are kept under the same content generation.
    pagecache.register(generation)


# --- anonymous pages ---------------------------------------------------------------------------

# Query parameters the cached pages understand; any other parameter is served uncached (so
# made-up query strings cannot fill the cache).
PAGE_PARAMETERS = frozenset({"page", "sort", "filter"})


def _cacheable(request) -> bool:
    if request.method != "GET" or request.user.is_authenticated:
        return False
    if not set(request.GET).issubset(PAGE_PARAMETERS):
        return False
    # A flash message ("You have signed out") belongs to this visitor only.
    if "messages" in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.session_key and "_messages" in session)


def serve_page(request, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The page `build` renders, from the cache for anonymous visitors (one entry per URL and
    generation, ETag/Last-Modified answered with 304), freshly rendered for everyone else.

    `build` is only called after the caller checked that the visitor may see the page; the
    cache never decides access.
    """
    if not _cacheable(request):
        response = build()
        response.setdefault("Cache-Control", "private, no-cache")
        return response
    raw = f"{generation()}|{request.scheme}://{request.get_host()}{request.get_full_path()}"
    # ":2:" names pagecache.make_entry's layout (an older release's copies are never read).
    key = "forum:page:2:" + hashlib.sha256(raw.encode()).hexdigest()
    entry = cache.get(key)
    if entry is None:
        response = build()
        if (
            response.status_code != 200
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page holds a CSRF token
            or getattr(response, "streaming", False)
        ):
            response.setdefault("Cache-Control", "private, no-cache")
            return response
        entry = pagecache.make_entry(response)
        cache.set(key, entry, PAGE_TTL)
    return pagecache.respond(request, entry)


# --- answers derived from the database, kept per generation -----------------------------------


def remember(
    name: str,
    compute: Callable[[], object],
    *,
    access: bool = False,
    reader: bool = False,
    ttl: int = VIEWER_TTL,
    still_true: Callable[[object], bool] | None = None,
):
    """`compute()`, kept under the current content generation (or with `access`, the access
    generation: for answers that only depend on who may see or do what; with `reader`, the
    reader generation: for a reader's own notifications, subscriptions and votes - put the
    reader's id in `name`). Any value, None too; kept at most `ttl` seconds. `still_true`:
    for answers that also move with the clock - a kept value it refuses is computed again."""
    if reader:
        key = f"forum:r:{reader_generation()}:{name}"
    else:
        now = access_generation() if access else generation()
        key = f"forum:{'a' if access else 'c'}:{now}:{name}"
    stored = cache.get(key)
    if stored is None or (still_true is not None and not still_true(stored[0])):
        stored = (compute(),)
        cache.set(key, stored, ttl)
    return stored[0]


# --- per-request lookups, loaded once per generation ----------------------------------------


def primed(view):
    """View decorator: `prime_request` before the view runs (and asks permissions)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        prime_request(request)
        return view(request, *args, **kwargs)

    return wrapper


def prime_request(request) -> None:
    """Load what every forum page asks about the visitor and the site from the cache, so a page
    does not query it again: the site's support settings (the footer) and, signed in, the
    reader's groups, Django permissions (the Wagtail user bar asks) and community standing.

    Each is stored under the current generation, so a change to any of them (a group, a plan,
    a sanction, the settings) is read afresh by the next request. The values are put where
    their owners already keep per-request answers (the user's guardian, Django's permission
    cache), so nothing else changes.
    """
    _prime_support_settings(request)
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        # The user itself, not AuthenticationMiddleware's lazy proxy: a thread page asks
        # thousands of permission questions and each attribute read through the proxy costs.
        user.is_authenticated  # noqa: B018 - loads the user
        request.user = user = user._wrapped
    if user is None or not user.is_authenticated or not user.is_active:
        return
    from forum import permissions as perms
    from resourcecenter import roles

    now = access_generation()
    guardian = roles.guardian_for(user)
    key = f"forum:viewer:{now}:{user.pk}"
    standing = cache.get(key)
    if standing is None:
        standing = {
            "groups": guardian.group_names,
            "perms": user.get_all_permissions(),
            "member": perms.get_member(user),
        }
        cache.set(key, standing, VIEWER_TTL)
    else:
        guardian.preload_groups(standing["groups"])
        perms.remember_member(user, standing["member"])
    user._perm_cache = set(standing["perms"])  # Django's ModelBackend keeps its answer here


def _prime_support_settings(request) -> None:
    from resourcecenter.models import SupportSettings

    attribute = SupportSettings.get_cache_attr_name()
    if hasattr(request, attribute):
        return
    key = f"forum:support-settings:{access_generation()}"
    value = cache.get(key)
    if value is None:
        value = SupportSettings.load()
        cache.set(key, value, VIEWER_TTL)
    setattr(request, attribute, value)


# --- rendered posts ----------------------------------------------------------------------------

_CSRF_SLOT = "\x00forum-csrf\x00"


def age_key(value, now) -> object:
    """A key that changes whenever `naturaltime(value)` ("5 minutes ago") may: seconds under a
    minute, minutes under an hour, hours under a day. Past a day it shows months, weeks, days
    and hours counted on the calendar from `value`'s time of day (whole seconds), and a month
    ends at midnight: hours from there and the day. Far cheaper than formatting the text,
    which cost more than the rest of a cached list page."""
    if value is None:
        return None
    seconds = int((now - value).total_seconds())
    if seconds < 60:  # and the future (clock skew): exact
        return seconds
    if seconds < 3600:
        return ("m", seconds // 60)
    if seconds < 86400:
        return ("h", seconds // 3600)
    since = int((now - value.replace(microsecond=0)).total_seconds())
    return ("d", since // 3600, now.astimezone(value.tzinfo).date())


def render_posts(request, thread, rows: list[dict]) -> None:
    """Give each row ({"post", "can", "voted", "anchor"}) its rendered HTML ("html").

    A post's HTML depends on the post and its author (both in the content generation), on the
    reader's verdicts for it and vote, on the page's address (moderators' forms return to it)
    and on how long ago it was written ("5 minutes ago"); it is cached under all of these, so
    readers with the same verdicts share it and it is never stale. The reader's CSRF input is
    not part of it: the cached HTML has a slot that is filled per request.
    """
    from django.template.backends.utils import csrf_input
    from django.template.loader import get_template
    from django.utils.safestring import mark_safe

    now = generation()
    clock = timezone.now()
    path = request.get_full_path()
    keys = []
    for row in rows:
        post = row["post"]
        verdicts = tuple((name, bool(v), v.reason) for name, v in sorted(row["can"].items()))
        ages = (age_key(post.created_at, clock), age_key(post.edited_at, clock))
        raw = repr((now, path, thread.pk, post.pk, row["voted"], row["anchor"], verdicts, ages))
        keys.append("forum:post:" + hashlib.sha256(raw.encode()).hexdigest())
    found = cache.get_many(keys)
    missing = {}
    template = None
    for key, row in zip(keys, rows, strict=True):
        if key not in found:
            template = template or get_template("forum/_post.html")
            context = {**row, "thread": thread, "csrf_slot": mark_safe(_CSRF_SLOT)}  # noqa: S308
            found[key] = missing[key] = template.render(context, request)
    if missing:
        cache.set_many(missing, PAGE_TTL)
    token = None
    for key, row in zip(keys, rows, strict=True):
        html = found[key]
        if _CSRF_SLOT in html:
            token = token or str(csrf_input(request))
            html = html.replace(_CSRF_SLOT, token)
        row["html"] = mark_safe(html)  # noqa: S308 - rendered by our autoescaping template


def render_thread_rows(request, threads, *, hide_category: bool = False) -> None:
    """Give each thread of a list its rendered row (`thread.row_html`, forum/_thread_row.html).

    A row shows the thread and its last post (content generation) and how long ago things
    happened; nothing in it depends on the reader, so one cached copy serves everyone.
    """
    from django.template.loader import get_template
    from django.utils.safestring import mark_safe

    threads = list(threads)
    now = generation()
    clock = timezone.now()
    keys = []
    for thread in threads:
        ages = (age_key(thread.created_at, clock), age_key(thread.last_activity_at, clock))
        raw = repr((now, thread.pk, hide_category, ages))
        keys.append("forum:row:" + hashlib.sha256(raw.encode()).hexdigest())
    found = cache.get_many(keys)
    missing = {}
    template = None
    for key, thread in zip(keys, threads, strict=True):
        if key not in found:
            template = template or get_template("forum/_thread_row.html")
            context = {"thread": thread, "hide_category": hide_category}
            found[key] = missing[key] = template.render(context, request)
        thread.row_html = mark_safe(found[key])  # noqa: S308 - our autoescaping template
    if missing:
        cache.set_many(missing, PAGE_TTL)
