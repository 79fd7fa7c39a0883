"""Flagging and the inline moderator controls on the thread page. Thin: permission check
(forum.permissions), one service call (forum.flags, forum.moderation or
forum.moderation_threads), render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from forum import flags, moderation, moderation_threads, ratelimits, selectors_posts
from forum import permissions as perms
from forum.forms import apply_validation_error
from forum.models import Post, PostState
from forum.moderation_forms import (
    DuplicateForm,
    FlagForm,
    MergeForm,
    MoveForm,
    ReasonForm,
    SplitForm,
)
from forum.services import ForumPermissionDenied
from forum.view_helpers import denied, post_or_404, visible_thread_or_404
from resourcecenter.redirects import safe_next_url

POST_ACTIONS = {
    "approve": ("Approve", moderation.approve_posts, "Approved."),
    "reject": ("Reject", moderation.reject_posts, "Rejected; the author was told why."),
    "hide": ("Hide", moderation.hide_posts, "Hidden; readers see a placeholder."),
    "restore": ("Restore", moderation.restore_posts, "Restored."),
}

SIMPLE_THREAD_ACTIONS = {
    "pin": (moderation_threads.pin_thread, {"pinned": True}, "Pinned."),
    "unpin": (moderation_threads.pin_thread, {"pinned": False}, "Unpinned."),
    "lock": (moderation_threads.lock_thread, {"locked": True}, "Locked: no replies or edits."),
    "unlock": (moderation_threads.lock_thread, {"locked": False}, "Unlocked."),
    "close": (moderation_threads.close_thread, {"closed": True}, "Closed."),
    "reopen": (moderation_threads.close_thread, {"closed": False}, "Reopened."),
}


@require_http_methods(["GET", "POST"])
def flag(request, pk: int):
    """Report a post to the moderators (spam, offensive, off-topic, other + note)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    post = post_or_404(request, pk)
    verdict = perms.can_flag(request.user, post)
    if not verdict:
        return denied(request, verdict)
    thread = post.thread
    already = flags.has_flagged(request.user, post)
    if request.method == "POST" and not already:
        form = FlagForm(request.POST)
        if form.is_valid():
            limited = ratelimits.check(request, "flag")
            if limited:
                form.add_error(None, limited)
            else:
                try:
                    flags.flag_post(
                        post=post,
                        reporter=request.user,
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                except ForumPermissionDenied as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, "Thank you. The moderators will review this post.")
                    return redirect(selectors_posts.post_permalink(request.user, post))
    else:
        form = FlagForm()
    return render(
        request,
        "forum/moderation/flag.html",
        {"form": form, "post": post, "thread": thread, "already": already, "noindex": True},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def post_action(request, pk: int, action: str):
    """Approve, reject, hide or restore one post (with a reason) from the thread page."""
    if action not in POST_ACTIONS:
        raise Http404("No such action.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    verdict = perms.can_moderate(request.user)
    if not verdict:
        return denied(request, verdict)
    post = post_or_404(request, pk)
    label, service, done = POST_ACTIONS[action]
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                changed = service([post], by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                apply_validation_error(form, error)
            except ForumPermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if changed:
                    messages.success(request, done)
                else:
                    messages.info(request, f"Nothing to do: the post is {post.moderation_state}.")
                post.refresh_from_db()
                fallback = (
                    selectors_posts.post_permalink(request.user, post)
                    if perms.can_see_post(request.user, post)
                    else post.thread.category.get_absolute_url()
                )
                return redirect(safe_next_url(request, fallback))
    else:
        form = ReasonForm()
    return render(
        request,
        "forum/moderation/post_action.html",
        {
            "form": form,
            "post": post,
            "thread": post.thread,
            "action": action,
            "label": label,
            "reason_required": action != "approve",
            "noindex": True,
        },
        status=400 if form.errors else 200,
    )


def _thread_for_moderator(request, pk: int):
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    verdict = perms.can_moderate(request.user)
    if not verdict:
        return None, denied(request, verdict)
    thread, denial = visible_thread_or_404(request, pk)
    if denial:
        return None, denied(request, denial)
    return thread, None


@require_http_methods(["GET", "POST"])
def thread_action(request, pk: int, action: str):
    """Pin/unpin, lock/unlock, close/reopen a thread (POST, optional reason)."""
    if action not in SIMPLE_THREAD_ACTIONS:
        raise Http404("No such action.")
    thread, response = _thread_for_moderator(request, pk)
    if response:
        return response
    service, kwargs, done = SIMPLE_THREAD_ACTIONS[action]
    if request.method == "POST":
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                service(thread, by=request.user, reason=form.cleaned_data["reason"], **kwargs)
            except ValidationError as error:
                apply_validation_error(form, error)
            except ForumPermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, done)
                return redirect(thread.get_absolute_url())
    else:
        form = ReasonForm()
    return render(
        request,
        "forum/moderation/thread_action.html",
        {"form": form, "thread": thread, "action": action, "noindex": True},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def move(request, pk: int):
    thread, response = _thread_for_moderator(request, pk)
    if response:
        return response
    form = MoveForm(request.POST or None, initial={"category": thread.category_id})

    def perform(data):
        moderation_threads.move_thread(
            thread, category=data["category"], by=request.user, reason=data["reason"]
        )
        return f"Moved to {data['category'].name}.", thread.get_absolute_url()

    return _apply_tool(request, form, perform) or _tool_page(
        request, thread, form, "move", "Move to another category"
    )


@require_http_methods(["GET", "POST"])
def merge(request, pk: int):
    thread, response = _thread_for_moderator(request, pk)
    if response:
        return response
    form = MergeForm(request.POST or None)

    def perform(data):
        target = moderation_threads.merge_thread(
            thread, into=data["target"], by=request.user, reason=data["reason"]
        )
        return f"Merged into “{target.title}”.", target.get_absolute_url()

    return _apply_tool(request, form, perform) or _tool_page(
        request, thread, form, "merge", "Merge into another thread"
    )


@require_http_methods(["GET", "POST"])
def duplicate(request, pk: int):
    thread, response = _thread_for_moderator(request, pk)
    if response:
        return response
    form = DuplicateForm(request.POST or None)

    def perform(data):
        moderation_threads.close_as_duplicate(
            thread, original=data["original"], by=request.user, reason=data["reason"]
        )
        message = "Closed as a duplicate; readers are sent to the original."
        return message, thread.get_absolute_url()

    return _apply_tool(request, form, perform) or _tool_page(
        request, thread, form, "duplicate", "Close as a duplicate"
    )


@require_http_methods(["GET", "POST"])
def split(request, pk: int):
    thread, response = _thread_for_moderator(request, pk)
    if response:
        return response
    replies = list(
        Post.objects.filter(thread=thread, number__gt=1)
        .exclude(moderation_state=PostState.DELETED)
        .select_related("author")
        .order_by("number")[:500]
    )
    choices = [
        (
            str(p.pk),
            f"#{p.number} by {p.author.public_name if p.author else 'a former member'}: "
            f"{p.body_markdown[:80]}",
        )
        for p in replies
    ]
    form = SplitForm(request.POST or None, post_choices=choices)

    def perform(data):
        new = moderation_threads.split_thread(
            thread,
            posts=[int(pk) for pk in data["posts"]],
            title=data["title"],
            category=data["category"],
            by=request.user,
            reason=data["reason"],
        )
        return f"Split into the new thread “{new.title}”.", new.get_absolute_url()

    return _apply_tool(request, form, perform) or _tool_page(
        request, thread, form, "split", "Split replies into a new thread"
    )


def _apply_tool(request, form, perform):
    """Run a thread tool on a valid POST and redirect; None means show the form (again).

    `perform(cleaned_data)` calls the moderation service and returns (message, url); a
    ValidationError from the service lands on the form instead of a server error.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        message, url = perform(form.cleaned_data)
    except ValidationError as error:
        apply_validation_error(form, error)
        return None
    messages.success(request, message)
    return redirect(url)


def _tool_page(request, thread, form, tool: str, heading: str):
    return render(
        request,
        "forum/moderation/thread_tool.html",
        {"form": form, "thread": thread, "tool": tool, "heading": heading, "noindex": True},
        status=400 if form.errors else 200,
    )
