"""The one check for a URL taken from a request: only same-site targets are followed."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_url(request, url: str | None) -> bool:
    """True when `url` stays on this site (and on https when the request came over https).

    A relative URL must be a path ("/..."): Django's redirect() takes a bare word for a view
    name and fails with NoReverseMatch (HTTP 500) on `?next=123`.
    """
    if url and not urlsplit(url).netloc and not url.startswith("/"):
        return False
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_url(request, url: str | None, default: str) -> str:
    return url if is_safe_url(request, url) else default


def safe_next_url(request, default: str) -> str:
    """The request's `next` (POST, then GET) when it points at this site, else `default`."""
    return safe_url(request, request.POST.get("next") or request.GET.get("next"), default)
