"""What the customer-facing views of every tiers domain share."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect

from resourcecenter.redirects import safe_next_url
from tiers.errors import TierError


def handle_errors(view):
    """Service rule violations become a message and a redirect back, not a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TierError as exc:
            messages.error(request, str(exc))
            return redirect(safe_next_url(request, request.path))

    return wrapped
