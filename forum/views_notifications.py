"""Notifications, e-mail settings, watching, and signed unsubscribe links. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import notifications, trust, watching
from forum import permissions as perms
from forum.models import Category, Notification, NotificationFrequency, Subscription
from forum.moderation_forms import NotificationSettingsForm
from forum.services import ForumPermissionDenied
from forum.view_helpers import denied, visible_thread_or_404
from resourcecenter.redirects import safe_next_url

PER_PAGE = 30


def _signed_in(request):
    verdict = perms.can_use_notifications(request.user)
    if not verdict:
        return redirect_to_login(request.get_full_path())
    return None


@require_http_methods(["GET", "POST"])
def notification_list(request):
    """The member's notifications, newest first; POST marks them all read."""
    response = _signed_in(request)
    if response:
        return response
    if request.method == "POST":
        count = notifications.mark_read(request.user)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
        return redirect("forum:notifications")
    qs = (
        Notification.objects.filter(recipient=request.user)
        .select_related("thread__category", "actor", "post")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"n": n, "summary": notifications.describe(n), "unread": n.read_at is None}
        for n in page.object_list
    ]
    return render(
        request,
        "forum/notifications/list.html",
        {"page_obj": page, "rows": rows, "noindex": True},
    )


@require_GET
def notification_open(request, pk: int):
    """Mark one notification read and go to what it is about."""
    response = _signed_in(request)
    if response:
        return response
    notification = get_object_or_404(
        Notification.objects.select_related("thread"), pk=pk, recipient=request.user
    )
    notifications.mark_read(request.user, [notification.pk])
    return redirect(notifications.target_url(notification))


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """E-mail frequency, and what the member watches (with one-click unwatch)."""
    response = _signed_in(request)
    if response:
        return response
    user = request.user
    member = perms.get_member(user)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            try:
                watching.set_frequency(user, form.cleaned_data["frequency"])
            except ValidationError as error:
                form.add_error("frequency", error.messages[0])
            else:
                messages.success(request, "Your e-mail settings are saved.")
                return redirect("forum:notification_settings")
    else:
        form = NotificationSettingsForm(
            initial={"frequency": member.notification_frequency if member else "immediate"}
        )
    subscriptions = (
        Subscription.objects.filter(user=user)
        .select_related("thread", "category")
        .order_by("-created_at")[:200]
    )
    return render(
        request,
        "forum/notifications/settings.html",
        {
            "form": form,
            "member": member,
            "next_step": trust.next_step(member) if member else None,
            "thread_subscriptions": [s for s in subscriptions if s.thread_id],
            "category_subscriptions": [s for s in subscriptions if s.category_id],
            "noindex": True,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def watch_thread(request, pk: int):
    """Watch (action=watch) or stop watching (action=unwatch) a thread."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    thread, denial = visible_thread_or_404(request, pk)
    if denial:
        return denied(request, denial)
    if request.POST.get("action") == "unwatch":
        watching.unwatch_thread(request.user, thread)
        messages.success(request, "You no longer watch this thread.")
    else:
        try:
            watching.watch_thread(request.user, thread)
        except ForumPermissionDenied as error:
            return denied(request, str(error))
        messages.success(request, "You are watching this thread; you will hear about replies.")
    return redirect(safe_next_url(request, thread.get_absolute_url()))


@require_POST
def watch_category(request, slug: str):
    """Watch (action=watch) or stop watching (action=unwatch) new threads in a category."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    category = get_object_or_404(Category, slug=slug)
    if request.POST.get("action") == "unwatch":
        watching.unwatch_category(request.user, category)
        messages.success(request, f"You no longer watch {category.name}.")
    else:
        try:
            watching.watch_category(request.user, category)
        except ForumPermissionDenied as error:
            return denied(request, str(error))
        messages.success(request, f"You will hear about new threads in {category.name}.")
    return redirect(safe_next_url(request, category.get_absolute_url()))


@csrf_exempt  # the signed token is the credential; mail clients POST one-click (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Unsubscribe without logging in: GET asks to confirm (link scanners must not unsubscribe
    anyone), POST does it."""
    try:
        data = watching.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(
            request,
            "forum/notifications/unsubscribe.html",
            {"invalid": True, "noindex": True},
            status=400,
        )
    if request.method == "POST":
        done = watching.apply_unsubscribe(data)
        return render(
            request, "forum/notifications/unsubscribe.html", {"done": done, "noindex": True}
        )
    scope = data["s"]
    what = {
        "thread": "e-mail about this thread",
        "category": "e-mail about new threads in this category",
        "all": "all e-mail from the Community",
    }[scope]
    return render(
        request,
        "forum/notifications/unsubscribe.html",
        {"what": what, "token": token, "noindex": True, "OFF": NotificationFrequency.OFF},
    )
