"""What every Community view shares: the refusal page, JSON or HTML, the rate-limit answer and
finding a thread or post the reader may see (404 otherwise). Used by forum.views,
forum.views_posting, forum.views_moderation and forum.views_notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from forum import permissions as perms
from forum import selectors, selectors_posts
from forum.gated import gated_response
from forum.models import Post
from resourcecenter.redirects import safe_next_url, safe_url


def denied(request, verdict_or_reason, *, status: int = 403):
    """Anonymous visitors are sent to log in; others see why they cannot do it."""
    reason = getattr(verdict_or_reason, "reason", verdict_or_reason)
    if wants_json(request):
        return JsonResponse({"error": reason}, status=status)
    if not request.user.is_authenticated and status == 403:
        # Signing in may change the answer (a plan, staff rights ...): ask for it first.
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        referer = request.headers.get("Referer", "")
        fallback = safe_url(request, referer, reverse("forum:index"))
        return redirect_to_login(safe_next_url(request, fallback))
    return render(request, "forum/denied.html", {"reason": reason}, status=status)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def say_posted(request, what: str, held: bool) -> None:
    """Tell the author whether their question or reply is live or waiting for a moderator."""
    if held:
        messages.info(
            request,
            f"Thanks! Your {what} is waiting for a moderator's approval; "
            "only you can see it until then.",
        )
    else:
        messages.success(request, f"Your {what} is posted.")


def rate_limited(request, action: str) -> str | None:
    """The forum's rate limits (forum.ratelimits, when present): a message if over the limit.

    Actions: "post" (threads and replies), "edit", "vote", "flag", "preview".
    """
    try:
        from forum import ratelimits
    except ImportError:
        return None
    check = getattr(ratelimits, "check", None)
    return check(request, action) if check else None


def rate_limited_response(request, message: str):
    if wants_json(request):
        return JsonResponse({"error": message}, status=429)
    return render(request, "forum/denied.html", {"reason": message}, status=429)


def visible_thread_or_404(request, pk: int) -> tuple:
    """(thread, None) if `request.user` may see thread `pk`; (thread, reason) when they may not
    because of the category's plan gate (the reason is a non-empty str, so `if denial:` works);
    Http404 for anything that must not reveal that it exists."""
    thread = selectors.get_thread(pk, reader=request.user)
    if thread is None:
        raise Http404("No such thread.")
    verdict = perms.can_see_thread(request.user, thread)
    if not verdict:
        # Plan-gated categories explain themselves; anything else does not leak its existence.
        if perms.can_read_category(request.user, thread.category):
            raise Http404(verdict.reason)
        return thread, verdict.reason or "You cannot see this thread."
    return thread, None


def thread_denied(request, thread, denial: str):
    """A thread in a plan-gated category: visitors sign in first (they may have the plan);
    signed-in readers without it see the category's teaser and the way to get it."""
    if request.user.is_authenticated and not wants_json(request):
        return gated_response(request, thread.category, thread=thread)
    return denied(request, denial)


def post_or_404(request, pk: int) -> Post:
    post = selectors_posts.get_post(pk)
    if post is None or not perms.can_see_post(request.user, post):
        raise Http404("No such post.")
    return post
