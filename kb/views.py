"""The few Resource Center endpoints that are not Wagtail pages: feedback and the admin report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from wagtail.models import Page

from kb.forms import FeedbackForm
from kb.models import ResourcePage
from kb.services import feedback_rate_limited, record_feedback
from resourcecenter import access
from resourcecenter.clientip import client_ip
from resourcecenter.redirects import safe_next_url, safe_url

THANKS_HELPFUL = "Thanks for your feedback! We're glad this page helped."
THANKS_NOT_HELPFUL = (
    "Thanks for your feedback. Our editors review pages that did not help; for an answer now, "
    "ask the Community."
)
RATE_LIMITED = "You have sent a lot of feedback in a short time. Please try again later."


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _client_key(request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    # Anonymous voters are counted by address, not session: a script that drops its cookie gets
    # a new session (and a new vote) on every request. Behind a reverse proxy REMOTE_ADDR is the
    # proxy, so the trusted-proxy settings pick the client's address.
    return f"ip:{client_ip(request) or 'unknown'}"


@require_POST
def article_feedback(request, page_id: int):
    """Record "Was this helpful?" for a live content page the viewer may read.

    Works without JavaScript (redirect back to the page's feedback box with a message) and with
    it (JSON answer for fetch). CSRF is enforced by the middleware.
    """
    page = get_object_or_404(Page.objects.live().public(), pk=page_id).specific
    if not isinstance(page, ResourcePage):
        raise Http404("Feedback is only taken on Resource Center articles.")
    if not access.can_view_page(request.user, page):
        return _answer(request, page, 403, "Only readers of this page can rate it.", "error")

    form = FeedbackForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return _answer(request, page, 400, " ".join(errors), "error", errors=form.errors)

    if not request.user.is_authenticated and not request.session.session_key:
        request.session.save()
    if feedback_rate_limited(_client_key(request)):
        return _answer(request, page, 429, RATE_LIMITED, "error")

    feedback, created = record_feedback(
        page=page,
        helpful=form.is_helpful,
        comment=form.cleaned_data["comment"],
        user=request.user if request.user.is_authenticated else None,
        session_key=request.session.session_key or "",
    )
    message = THANKS_HELPFUL if feedback.helpful else THANKS_NOT_HELPFUL
    if not created:
        message = "Your answer was updated. " + message
    return _answer(request, page, 200, message, "success", helpful=feedback.helpful)


def _answer(request, page, status: int, message: str, level: str, **extra):
    if _wants_json(request):
        data = {"ok": status == 200, "message": message}
        if "errors" in extra:
            data["errors"] = {k: [str(e) for e in v] for k, v in extra["errors"].items()}
        if "helpful" in extra:
            data["helpful"] = "yes" if extra["helpful"] else "no"
        return JsonResponse(data, status=status)
    level_number = messages.SUCCESS if level == "success" else messages.ERROR
    messages.add_message(request, level_number, message, extra_tags="feedback")
    url = safe_url(request, page.get_url(request), "/")
    return HttpResponseRedirect(url + "#feedback")


@require_POST
def mark_reviewed_view(request, page_id: int):
    """Admin: set a page's "Last reviewed" to today (see `kb.services.mark_reviewed`)."""
    from django.core.exceptions import ValidationError

    from kb.services import mark_reviewed

    page = get_object_or_404(Page, pk=page_id).specific
    back = safe_next_url(request, reverse("kb_review_report"))
    if not isinstance(page, ResourcePage):
        messages.error(
            request, "Only Resource Center articles, code samples and videos have a review date."
        )
        return HttpResponseRedirect(back)
    try:
        outcome = mark_reviewed(page, request.user)
    except PermissionError:
        messages.error(
            request, f"You may not edit “{page.title}”, so you cannot mark it as reviewed."
        )
        return HttpResponseRedirect(back)
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        messages.error(
            request,
            f"“{page.title}” could not be saved ({problems}). Open it in the editor to fix it.",
        )
        return HttpResponseRedirect(back)
    (messages.success if outcome.published else messages.warning)(request, outcome.message)
    return HttpResponseRedirect(back)
