"""Anonymous pages served from the cache, answered before the rest of the request runs.

A public Resource Center page (home, section, article) looks the same to every visitor who is
not signed in, so the first such visitor's copy is kept and the next ones get it without a
database query: no session, no user, no page lookup, no template. Two doors lead to the same
`cached_response`:
- `AnonymousPageCacheMiddleware` (resourcecenter.middleware), first in MIDDLEWARE, so the copy
  it keeps is the final response with every header the stack adds (security, CSP, framing)
  and a hit skips the whole stack (the test client, ASGI);
- `PageCacheWSGIHandler` below, the WSGI application (resourcecenter.wsgi): it answers a hit
  before Django's handler runs at all (no request signals, no middleware chain), which is
  what makes a hit about as cheap as sending a static file. A miss goes on to Django.

Exactness comes from the content *generation* (the forum's write watcher, forum.cache, which
moves it after every committed write to a table a page may show: pages and their revisions,
snippets, settings, forum threads the home page lists, incidents, plans, page and plan
restrictions). A copy is stored under the generation read before the page was built, so any
change makes it unreachable. The core cannot import the forum, so, as with the access
interface, the generation source is registered at start-up (`register`); without one nothing
is cached.

Only what a page view explicitly allows is stored (`allow`: a Wagtail page with no view
restriction and no plan gate, see resourcecenter.wagtail_hooks), only for a GET without a
session or flash-message cookie, and only a plain 200 that sets no cookie but the CSRF one.
A page's POST forms keep working: the CSRF token inputs are stored as a slot and filled with
the visitor's own token on every hit (the CSRF middleware's cookie check and Set-Cookie run
around the hit, since the hit is answered before that middleware). Relative dates and "review
overdue" marks may age for at most PAGE_TTL.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CsrfViewMiddleware,
)
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
# The request headers that make a GET conditional (get_conditional_response reads them).
_CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# A CSRF token as it may appear anywhere in a page.
_ANY_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# The CSRF middleware's own request and response steps, run around a hit answered before it.
_csrf = CsrfViewMiddleware(lambda request: None)

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
    # A HEAD goes through the stack (and its answer is not kept): rare, and a hit's body
    # would have to be dropped by every server. With CSRF_USE_SESSIONS the token lives in a
    # session, which no anonymous copy may touch.
    if _generation is None or request.method != "GET" or settings.CSRF_USE_SESSIONS:
        return None
    if getattr(request, "is_dummy", False):  # a Wagtail preview's request shows the draft
        return None
    cookies = request.COOKIES
    # A session may hold a signed-in user or flash messages; a messages cookie belongs to
    # this visitor only.
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    if request.META.get("QUERY_STRING") and not PAGE_PARAMETERS.issuperset(request.GET):
        return None
    if settings.DISALLOWED_USER_AGENTS:  # CommonMiddleware refuses these; a hit skips it
        return None
    zone = cookies.get(TIME_ZONE_COOKIE, "")
    if zone and (len(zone) > 64 or zone not in _known_zones()):
        zone = ""  # the middleware ignores it too
    raw = f"{_generation()}|{zone}|{request.scheme}://{request.get_host()}{request.get_full_path()}"
    # ":2:" names make_entry's layout (content in parts): a copy an older release left in a
    # shared cache is never read.
    return "page:anon:2:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_response(request, key: str) -> HttpResponse | None:
    """The copy kept under `key` for this visitor, or None (a miss). For a hit answered before
    the middleware stack: the CSRF middleware's request step (the visitor's secret from their
    cookie) and response step (the cookie, when the page holds a token) run here."""
    entry = cache.get(key)
    if entry is None:
        return None
    if len(entry["parts"]) == 1:  # no form token in the page
        return respond(request, entry)
    _csrf.process_request(request)
    return _csrf.process_response(request, respond(request, entry))


def store(request, key: str, response) -> None:
    """Keep `response` (the stack's final answer) under `key` if the view allowed it and it is a
    plain page: a 200 whose only cookie is the CSRF one (a token was put in its forms, which
    `make_entry` turns into slots) and that varies on nothing but the cookies."""
    if (
        not getattr(request, _ALLOWED, False)
        or response.status_code != 200
        or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        or getattr(response, "streaming", False)
        # varies on something the key does not hold (the cookies it does: no session)
        or {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        - {"cookie"}
    ):
        return
    entry = make_entry(response)
    secret = request.META.get("CSRF_COOKIE")
    if secret and any(
        _unmask(token) == secret for token in _ANY_TOKEN.findall(b"".join(entry["parts"]))
    ):
        return  # the visitor's token outside a form input (a script's copy): not theirs to share
    cache.set(key, entry, PAGE_TTL)


def make_entry(response) -> dict:
    """What a cached copy holds: the content (in parts, cut where the CSRF inputs' tokens go),
    its headers and ETag."""
    content = _CSRF_INPUT.sub(rb"\1" + _CSRF_SLOT + rb"\2", response.content)
    headers = {name: value for name, value in response.items() if name.lower() not in _NOT_STORED}
    modified = int(time.time())
    return {
        "parts": tuple(content.split(_CSRF_SLOT)),
        "headers": headers,
        "etag": hashlib.sha256(content).hexdigest()[:32],
        "modified": modified,
        "last_modified": http_date(modified),
    }


def respond(request, entry: dict) -> HttpResponse:
    """The cached copy for this visitor: 304 when their copy is current, else the page with
    their own CSRF token in its forms. `Cache-Control: public, no-cache` (shared caches ask
    again every time; `private` when the page holds the visitor's token) and `Vary: Cookie`
    (a signed-in visitor never gets this copy)."""
    parts = entry["parts"]
    etag = entry["etag"]
    has_token = len(parts) > 1
    token = None
    if has_token and request.META.get("CSRF_COOKIE") is None:
        # No secret yet: whatever copy this visitor (or a shared cache asking for them) holds
        # carries someone else's token, so never a 304; the page gets a new secret, which the
        # ETag below then names.
        token = csrf_token(request)
    if has_token:
        # The page holds the visitor's token: their copy is only current with their cookie.
        secret = request.META["CSRF_COOKIE"]
        etag = hashlib.sha256(f"{etag}|{secret}".encode()).hexdigest()[:32]
    etag = f'"{etag}"'
    response = None
    if token is None and any(header in request.META for header in _CONDITIONAL):
        response = get_conditional_response(request, etag=etag, last_modified=entry["modified"])
    if response is None:
        if has_token and token is None:
            token = csrf_token(request)
        content = token.encode().join(parts) if has_token else parts[0]
        response = HttpResponse(content, headers=entry["headers"])
        # Set here because a hit skips CommonMiddleware (which sets it when it is missing).
        response["Content-Length"] = str(len(content))
    response["ETag"] = etag
    response["Last-Modified"] = entry["last_modified"]
    # A copy with the visitor's own token (and their CSRF cookie) is for their browser only:
    # no shared cache may keep it. Either way every use asks again (no-cache).
    response["Cache-Control"] = "private, no-cache" if has_token else "public, no-cache"
    patch_vary_headers(response, ("Cookie",))
    return response


_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_BASE = len(CSRF_ALLOWED_CHARS)
# The largest multiple of the alphabet's size below 256: bytes from it up are drawn again, so
# every character is equally likely.
_UNBIASED = 256 - 256 % _BASE


def _random_indexes(count: int) -> list[int]:
    """`count` uniform indexes into CSRF_ALLOWED_CHARS from the OS's random source."""
    indexes: list[int] = []
    while len(indexes) < count:
        indexes += [byte % _BASE for byte in os.urandom(count + 8) if byte < _UNBIASED]
    return indexes[:count]


def csrf_token(request) -> str:
    """django.middleware.csrf.get_token, same token and same request flags, with the random
    characters read from the OS in one call: get_token draws each of its 32 to 64 characters
    with a separate call, which cost more than the rest of a cached page together."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:  # as csrf._add_new_csrf_cookie
        secret = "".join(CSRF_ALLOWED_CHARS[i] for i in _random_indexes(CSRF_SECRET_LENGTH))
        request.META["CSRF_COOKIE"] = secret
    # As get_token: the cookie is sent again (its expiry renewed) whenever a token is handed out.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_indexes(CSRF_SECRET_LENGTH)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CHAR_INDEX[char] + shift) % _BASE]
        for char, shift in zip(secret, mask, strict=True)
    )
    return "".join(CSRF_ALLOWED_CHARS[i] for i in mask) + cipher


def _unmask(token: bytes) -> str:
    """The secret a masked token was made from (csrf._unmask_cipher_token)."""
    text = token.decode()
    mask, cipher = text[:CSRF_SECRET_LENGTH], text[CSRF_SECRET_LENGTH:]
    return "".join(
        CSRF_ALLOWED_CHARS[(_CHAR_INDEX[char] - _CHAR_INDEX[shift]) % _BASE]
        for char, shift in zip(cipher, mask, strict=True)
    )


class PageCacheWSGIHandler(WSGIHandler):
    """Django's WSGI application, answering an anonymous page's cache hit first: no request
    signals, no middleware chain, no URL resolving; the kept copy already holds every header
    the stack adds. Anything else (a miss, a visitor with a session, a POST, a request Django
    must refuse) is Django's usual handling."""

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and _generation is not None:
            request = self.request_class(environ)
            try:
                key = anonymous_key(request)
                response = cached_response(request, key) if key is not None else None
            except Exception:  # noqa: BLE001
                # A disallowed host..., or a failing cache (with the database cache, a broken
                # connection this path never closes): Django answers it (its request_started
                # closes an unusable connection, its error handling logs and renders the 500).
                response = None
            if response is not None:
                start_response(
                    f"{response.status_code} {response.reason_phrase}",
                    [
                        *response.items(),
                        *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
                    ],
                )
                # A list, not the response: closing the response would send request_finished
                # for a request whose request_started was never sent.
                return [response.content]
        return super().__call__(environ, start_response)
