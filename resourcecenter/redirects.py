"""The one check for a `next` URL taken from a request: only same-site targets are followed."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, default: str) -> str:
    """The request's `next` (POST, then GET) when it points at this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
