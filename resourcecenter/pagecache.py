"""Anonymous pages served from the cache, answered before the rest of the request runs.

A public Resource Center page (home, section, article) looks the same to every visitor who is
not signed in, so the first such visitor's copy is kept and the next ones get it from the
`AnonymousPageCacheMiddleware` (resourcecenter.middleware) without a database query: no
session, no user, no page lookup, no template.

Exactness comes from the content *generation* (the forum's write watcher, forum.cache, which
moves it after every committed write to a table a page may show: pages and their revisions,
snippets, settings, forum threads the home page lists, incidents, plans, page and plan
restrictions). A copy is stored under the generation read before the page was built, so any
change makes it unreachable. The core cannot import the forum, so, as with the access
interface, the generation source is registered at start-up (`register`); without one nothing
is cached.

Only what a page view explicitly allows is stored (`allow`: a Wagtail page with no view
restriction and no plan gate, see resourcecenter.wagtail_hooks), only for a GET without a
session or flash-message cookie, and only a plain 200. A page's POST forms keep working: the
CSRF token inputs are stored as a slot and filled with the visitor's own token on every hit.
Relative dates and "review overdue" marks may age for at most PAGE_TTL.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

PAGE_TTL = getattr(settings, "FORUM_PAGE_CACHE_SECONDS", 60)
# The query parameters section pages understand (kb.page_context); any other parameter is
# served uncached, so made-up query strings cannot fill the cache.
PAGE_PARAMETERS = frozenset({"page", "kind", "area", "tag"})
# The reader's time zone cookie changes the times a page shows (ReaderTimeZoneMiddleware).
TIME_ZONE_COOKIE = "tz"
_ALLOWED = "_anonymous_page_cache_allowed"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_CSRF_SLOT = b"\x00page-csrf\x00"
# Headers a hit must not repeat from the first visitor's response (or that it sets itself).
_NOT_STORED = frozenset(
    {"set-cookie", "date", "content-length", "vary", "cache-control", "etag", "last-modified"}
)

_generation: Callable[[], int] | None = None


def register(generation: Callable[[], int]) -> None:
    """Plug in the content generation (called once, from the watcher's `AppConfig.ready()`)."""
    global _generation
    _generation = generation


def current_generation() -> int | None:
    """The registered content generation now (None without one: keep nothing)."""
    return _generation() if _generation is not None else None


def allow(request) -> None:
    """Say that the page this request is answered with may be kept for anonymous visitors:
    it shows nothing that depends on who asks beyond what the cache key holds."""
    setattr(request, _ALLOWED, True)


def _known_zones() -> set[str]:
    from resourcecenter.middleware import ReaderTimeZoneMiddleware

    return ReaderTimeZoneMiddleware.known_zones()


def anonymous_key(request) -> str | None:
    """The cache key of this request's anonymous copy, or None when it must not use one."""
    if _generation is None or request.method != "GET":
        return None
    cookies = request.COOKIES
    # A session may hold a signed-in user or flash messages; a messages cookie belongs to
    # this visitor only.
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    if not PAGE_PARAMETERS.issuperset(request.GET):
        return None
    zone = cookies.get(TIME_ZONE_COOKIE, "")
    if zone and (len(zone) > 64 or zone not in _known_zones()):
        zone = ""  # the middleware ignores it too
    raw = f"{_generation()}|{zone}|{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "page:anon:" + hashlib.sha256(raw.encode()).hexdigest()


def store(request, key: str, response) -> None:
    """Keep `response` under `key` if the view allowed it and it is a plain page."""
    if (
        not getattr(request, _ALLOWED, False)
        or response.status_code != 200
        or response.cookies
        or getattr(response, "streaming", False)
        or response.has_header("Vary")  # varies on something the key does not hold
    ):
        return
    cache.set(key, make_entry(response), PAGE_TTL)


def make_entry(response) -> dict:
    """What a cached copy holds: the content (CSRF inputs as slots), its headers and ETag."""
    content = _CSRF_INPUT.sub(rb"\1" + _CSRF_SLOT + rb"\2", response.content)
    headers = {name: value for name, value in response.items() if name.lower() not in _NOT_STORED}
    return {
        "content": content,
        "headers": headers,
        "etag": hashlib.sha256(content).hexdigest()[:32],
        "modified": int(time.time()),
    }


def respond(request, entry: dict) -> HttpResponse:
    """The cached copy for this visitor: 304 when their copy is current, else the page with
    their own CSRF token in its forms. `Cache-Control: public, no-cache` (shared caches ask
    again every time) and `Vary: Cookie` (a signed-in visitor never gets this copy)."""
    content = entry["content"]
    etag = entry["etag"]
    if _CSRF_SLOT in content:
        # The page holds the visitor's token: their copy is only current with their cookie.
        secret = request.META.get("CSRF_COOKIE", "")
        etag = hashlib.sha256(f"{etag}|{secret}".encode()).hexdigest()[:32]
    etag = f'"{etag}"'
    response = get_conditional_response(request, etag=etag, last_modified=entry["modified"])
    if response is None:
        if _CSRF_SLOT in content:
            content = content.replace(_CSRF_SLOT, get_token(request).encode())
        response = HttpResponse(content)
        for name, value in entry["headers"].items():
            response[name] = value
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["modified"])
    response["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ("Cookie",))
    return response
