"""The Community's writing pages: ask, reply, edit, delete, vote, accept and mark official.
Thin like forum.views: check permission, call one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from forum import permissions as perms
from forum import selectors, selectors_posts, services
from forum.cache import primed
from forum.forms import AskForm, DeleteForm, EditForm, ReplyForm, apply_validation_error
from forum.models import Post, PostState, PostVote, ThreadState
from forum.view_helpers import (
    denied,
    post_or_404,
    rate_limited,
    rate_limited_response,
    say_posted,
    visible_thread_or_404,
    wants_json,
)
from resourcecenter.clientip import client_ip

# --- writing -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ask(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    verdict = perms.can_write(user)
    if not verdict:
        return denied(request, verdict)
    categories = selectors.startable_categories(user)
    if request.method == "POST":
        form = AskForm(request.POST, categories=categories)
        if form.is_valid():
            limited = rate_limited(request, "post")
            if limited:
                form.add_error(None, limited)
            else:
                try:
                    thread = services.create_thread(
                        author=user,
                        category=form.cleaned_data["category"],
                        title=form.cleaned_data["title"],
                        body=form.cleaned_data["body"],
                        tags=form.cleaned_data["tags"],
                        ip_address=client_ip(request),
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                except services.ForumPermissionDenied as error:
                    form.add_error(None, str(error))
                else:
                    say_posted(request, "question", thread.moderation_state == ThreadState.HELD)
                    return redirect(thread.get_absolute_url())
    else:
        initial = {}
        wanted = request.GET.get("category")
        for candidate in categories:
            if candidate.slug == wanted:
                initial["category"] = candidate.pk
        if request.GET.get("title"):
            initial["title"] = request.GET["title"][:200]
        form = AskForm(initial=initial, categories=categories)
    return render(
        request,
        "forum/ask.html",
        {"form": form, "categories": categories, "noindex": True},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@primed
def reply(request, pk: int):
    thread, denial = visible_thread_or_404(request, pk)
    if denial is not None:
        return denied(request, denial)
    user = request.user
    verdict = perms.can_reply(user, thread)
    if not verdict:
        return denied(request, verdict)
    quote = None
    quote_id = request.POST.get("quote_of") or request.GET.get("quote")
    # ASCII digits within the id column's range (int() also reads other scripts' digits).
    if quote_id and str(quote_id).isascii() and str(quote_id).isdigit() and len(quote_id) < 19:
        quote = (
            Post.objects.select_related("author", "thread")
            .filter(pk=int(quote_id), thread=thread)
            .first()
        )
        if quote is not None and not perms.can_see_post_content(user, quote):
            quote = None
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            limited = rate_limited(request, "post")
            if limited:
                form.add_error(None, limited)
            else:
                try:
                    post = services.create_reply(
                        author=user,
                        thread=thread,
                        body=form.cleaned_data["body"],
                        quote_of=quote,
                        ip_address=client_ip(request),
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                except services.ForumPermissionDenied as error:
                    form.add_error(None, str(error))
                else:
                    say_posted(request, "reply", post.moderation_state == PostState.HELD)
                    return redirect(selectors_posts.post_permalink(user, post))
    else:
        initial = {}
        if quote is not None:
            initial = {"body": _quote_markdown(quote), "quote_of": quote.pk}
        form = ReplyForm(initial=initial)
    return render(
        request,
        "forum/reply.html",
        {"form": form, "thread": thread, "quote": quote, "noindex": True},
        status=400 if form.errors else 200,
    )


def _quote_markdown(post: Post) -> str:
    handle = ""
    if post.author is not None:
        member = perms.get_member(post.author)
        handle = f"@{member.handle}" if member and member.handle else post.author.public_name
    quoted = "\n".join(f"> {line}" if line else ">" for line in post.body_markdown.splitlines())
    return f"{handle} wrote:\n{quoted}\n\n" if handle else f"{quoted}\n\n"


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    post = post_or_404(request, pk)
    user = request.user
    verdict = perms.can_edit_post(user, post)
    if not verdict:
        return denied(request, verdict)
    thread = post.thread
    is_question = post.number == 1
    if request.method == "POST":
        form = EditForm(request.POST, is_question=is_question)
        if form.is_valid():
            limited = rate_limited(request, "edit")
            if limited:
                form.add_error(None, limited)
            else:
                try:
                    services.edit_post(
                        post=post,
                        editor=user,
                        body=form.cleaned_data["body"],
                        title=form.cleaned_data.get("title") if is_question else None,
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                except services.ForumPermissionDenied as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, "Your changes are saved.")
                    post.refresh_from_db()
                    return redirect(selectors_posts.post_permalink(user, post))
    else:
        initial = {"body": post.body_markdown}
        if is_question:
            initial["title"] = thread.title
        form = EditForm(initial=initial, is_question=is_question)
    return render(
        request,
        "forum/edit.html",
        {"form": form, "post": post, "thread": thread, "noindex": True},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    post = post_or_404(request, pk)
    user = request.user
    verdict = perms.can_delete_post(user, post)
    if not verdict:
        return denied(request, verdict)
    thread = post.thread
    if request.method == "POST":
        form = DeleteForm(request.POST)
        if form.is_valid():
            try:
                services.delete_post(post=post, by=user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                apply_validation_error(form, error)
            except services.ForumPermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The post was deleted.")
                if post.number == 1 and not perms.can_see_thread(user, thread):
                    return redirect(thread.category.get_absolute_url())
                thread.refresh_from_db()
                if post.number == 1 and thread.moderation_state == ThreadState.DELETED:
                    return redirect(thread.category.get_absolute_url())
                return redirect(selectors_posts.post_permalink(user, post))
    else:
        form = DeleteForm()
    return render(
        request,
        "forum/delete.html",
        {
            "form": form,
            "post": post,
            "thread": thread,
            "own": post.author_id == user.pk,
            "noindex": True,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def vote(request, pk: int):
    """Toggle the reader's "helpful" vote (JSON for the script, redirect otherwise)."""
    post = post_or_404(request, pk)
    user = request.user
    verdict = perms.can_vote(user, post)
    if not verdict:
        return denied(request, verdict)
    limited = rate_limited(request, "vote")
    if limited:
        return rate_limited_response(request, limited)
    wants_vote = request.POST.get("action", "toggle")
    has_voted = PostVote.objects.filter(post=post, user=user).exists()
    if wants_vote == "remove" or (wants_vote == "toggle" and has_voted):
        services.remove_vote(post=post, user=user)
        voted = False
    else:
        services.vote_helpful(post=post, user=user)
        voted = True
    post.refresh_from_db(fields=["helpful_count"])
    if wants_json(request):
        return JsonResponse({"voted": voted, "helpful_count": post.helpful_count})
    return redirect(selectors_posts.post_permalink(user, post))


@require_POST
def accept(request, pk: int):
    """Accept (or with action=unaccept, withdraw) an answer in thread `pk`."""
    thread, denial = visible_thread_or_404(request, pk)
    if denial is not None:
        return denied(request, denial)
    user = request.user
    try:
        if request.POST.get("action") == "unaccept":
            verdict = perms.can_accept_answer(user, thread)
            if not verdict:
                return denied(request, verdict)
            services.unaccept_answer(thread=thread, by=user)
            messages.success(request, "The answer is no longer marked as accepted.")
            return redirect(thread.get_absolute_url())
        post_id = request.POST.get("post", "")
        post = (
            Post.objects.filter(pk=int(post_id), thread=thread).first()
            if post_id.isdigit()
            else None
        )
        if post is None:
            return denied(request, "Choose a reply of this thread to accept.", status=400)
        verdict = perms.can_accept_answer(user, thread, post)
        if not verdict:
            return denied(request, verdict)
        services.accept_answer(thread=thread, post=post, by=user)
    except services.ForumPermissionDenied as error:
        return denied(request, str(error))
    messages.success(request, "Marked as the accepted answer. The thread is solved.")
    return redirect(selectors_posts.post_permalink(user, post))


@require_POST
def official(request, pk: int):
    """Mark (action=mark) or unmark (action=unmark) post `pk` as the official answer."""
    post = post_or_404(request, pk)
    user = request.user
    verdict = perms.can_mark_official(user, post)
    if not verdict:
        return denied(request, verdict)
    mark = request.POST.get("action", "mark") != "unmark"
    services.mark_official_answer(post=post, by=user, official=mark)
    messages.success(
        request, "Marked as the official answer." if mark else "No longer the official answer."
    )
    return redirect(selectors_posts.post_permalink(user, post))
