"""What the customer-facing views of every tiers domain share."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from resourcecenter.redirects import safe_next_url, safe_url
from tiers.errors import TierError


def handle_errors(view):
    """Service rule violations become a message and a redirect back, not a 500.

    "Back" is the page the form was on: a POST-only URL redirected to itself would answer the
    browser's GET with 405 (a blank error page).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TierError as exc:
            messages.error(request, str(exc))
            return redirect(safe_next_url(request, _back(request)))

    return wrapped


def _back(request) -> str:
    if request.method == "GET":
        return request.path
    return safe_url(request, request.headers.get("Referer"), reverse("tiers:home"))
