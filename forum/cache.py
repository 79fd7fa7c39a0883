"""The forum's caches, and the one rule that keeps them exact: the *generation*.

Every cached answer (an anonymous visitor's rendered page, a signed-in reader's standing) is
stored under the generation current when it was computed. The generation is a counter in the
shared cache that moves whenever the database changes something a forum page may show: a write
statement to any table except the few listed in UNTRACKED_TABLES (sessions, the cache table,
queues, notifications ...) bumps it. The statements are watched on the database connection
itself (an execute wrapper installed for every connection), so no write path - a service, a
moderation action, an admin screen, a plan change in tiers, a raw UPDATE - can forget to
invalidate: a new reply, an edit, a hidden post, a moved thread, a changed permission or plan all
make every entry computed before it unreachable.

Inside a transaction the generation moves twice: when the first write of the transaction (or
savepoint) runs, and again after the commit. A reader that read the old generation before the
commit and old rows, and stores what it saw, stores it under a generation nobody asks for any
more. A rolled-back transaction costs one needless bump.

What is not a change: counting a view (`view_count + 1`) leaves the generation alone, so the
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
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

GENERATION_KEY = "forum:generation"
PAGE_TTL = getattr(settings, "FORUM_PAGE_CACHE_SECONDS", 60)
VIEWER_TTL = 300

# Writes to these tables never change what a forum page shows (to anyone the caches serve).
UNTRACKED_TABLES = frozenset(
    {
        "django_session",
        "django_tasks_db_dbtaskresult",
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
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)
_VIEW_COUNT = re.compile(
    r'^UPDATE "forum_thread" SET "view_count" = \("forum_thread"\."view_count" \+ %s\) WHERE'
)


# --- the generation ----------------------------------------------------------------------------


def generation() -> int:
    """The current generation (started from the clock, so an evicted counter never repeats)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump() -> None:
    """Make every cached forum answer unreachable."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # evicted or never set: a fresh start from the clock is unique too
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def changes_pages(sql: str) -> bool:
    """Whether a statement may change what a forum page shows."""
    match = _WRITE.match(sql)
    if match is None or match[1] in UNTRACKED_TABLES:
        return False
    return not _VIEW_COUNT.match(sql)


class _TransactionMark:
    """Per connection: the transaction (or savepoint) whose first write already bumped."""

    def __init__(self) -> None:
        self.commits = 0
        self.token: tuple | None = None


def _written(connection) -> None:
    if not connection.in_atomic_block:
        bump()  # autocommit: the write is already visible
        return
    mark = connection.__dict__.setdefault("_forum_cache_mark", _TransactionMark())
    token = (mark.commits, tuple(connection.savepoint_ids))
    if token == mark.token:
        return
    mark.token = token
    bump()

    def committed() -> None:
        mark.commits += 1
        bump()

    transaction.on_commit(committed, using=connection.alias, robust=True)


def _track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and changes_pages(sql):
        _written(context["connection"])
    return result


def install(connection) -> None:
    if _track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_track_writes)


def _on_connection_created(sender, connection, **kwargs):
    install(connection)


def connect() -> None:
    """Watch writes on every database connection (called from ForumConfig.ready)."""
    from django.db import connections

    connection_created.connect(_on_connection_created, dispatch_uid="forum_cache_writes")
    for connection in connections.all(initialized_only=True):
        install(connection)


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
    key = "forum:page:" + hashlib.sha256(raw.encode()).hexdigest()
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
        content = response.content
        entry = {
            "content": content,
            "content_type": response["Content-Type"],
            "etag": '"' + hashlib.sha256(content).hexdigest()[:32] + '"',
            "modified": int(time.time()),
        }
        cache.set(key, entry, PAGE_TTL)
    response = get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["modified"]
    )
    if response is None:
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["modified"])
    # Shared caches must ask again each time (the page changes with the generation), and a
    # signed-in visitor (with a session cookie) must never get the anonymous copy.
    response["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ("Cookie",))
    return response


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
    now = generation()
    _prime_support_settings(request, now)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return
    from forum import permissions as perms
    from resourcecenter import roles

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
        # The guardian has no public way to take groups loaded elsewhere (yet): set what its
        # `group_names` would have loaded.
        guardian._group_names = frozenset(standing["groups"])
        perms.remember_member(user, standing["member"])
    user._perm_cache = set(standing["perms"])  # Django's ModelBackend keeps its answer here


def _prime_support_settings(request, now: int) -> None:
    from resourcecenter.models import SupportSettings

    attribute = SupportSettings.get_cache_attr_name()
    if hasattr(request, attribute):
        return
    key = f"forum:support-settings:{now}"
    value = cache.get(key)
    if value is None:
        value = SupportSettings.load()
        cache.set(key, value, VIEWER_TTL)
    setattr(request, attribute, value)
