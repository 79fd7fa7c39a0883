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


def _submit(request, form, *, act, limit: str | None = None):
    """A posted writing form: valid, within the rate limit for `limit` (when given) and accepted
    by the service (`act`, given the cleaned data) -> what `act` returned. Otherwise None, with
    the field errors, the rate-limit answer or the rule the service refused on in the form, so
    the view shows the page again (400) with the form as typed."""
    if not form.is_valid():
        return None
    limited = rate_limited(request, limit) if limit else None
    if limited:
        form.add_error(None, limited)
        return None
    try:
        return act(form.cleaned_data)
    except ValidationError as error:
        apply_validation_error(form, error)
    except services.ForumPermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _form_page(request, template: str, form, **context):
    """A writing page: 400 while its form holds errors, so a failed post is not a success."""
    context = {"form": form, **context, "noindex": True}
    return render(request, template, context, status=400 if form.errors else 200)


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
        thread = _submit(
            request,
            form,
            limit="post",
            act=lambda data: services.create_thread(
                author=user,
                category=data["category"],
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
                ip_address=client_ip(request),
            ),
        )
        if thread is not None:
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
    return _form_page(request, "forum/ask.html", form, categories=categories)


@require_http_methods(["GET", "POST"])
@primed
def reply(request, pk: int):
    # The thread as the reading pages keep it (per content generation): a reply is checked
    # again on the locked row inside its transaction (forum.services.create_reply).
    thread, denial = visible_thread_or_404(request, pk, cached=True)
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
        post = _submit(
            request,
            form,
            limit="post",
            act=lambda data: services.create_reply(
                author=user,
                thread=thread,
                body=data["body"],
                quote_of=quote,
                ip_address=client_ip(request),
            ),
        )
        if post is not None:
            say_posted(request, "reply", post.moderation_state == PostState.HELD)
            return redirect(selectors_posts.post_permalink(user, post))
    else:
        initial = {}
        if quote is not None:
            initial = {"body": _quote_markdown(quote), "quote_of": quote.pk}
        form = ReplyForm(initial=initial)
    return _form_page(request, "forum/reply.html", form, thread=thread, quote=quote)


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
        edited = _submit(
            request,
            form,
            limit="edit",
            act=lambda data: services.edit_post(
                post=post,
                editor=user,
                body=data["body"],
                title=data.get("title") if is_question else None,
                reason=data["reason"],
            ),
        )
        if edited is not None:
            messages.success(request, "Your changes are saved.")
            post.refresh_from_db()
            return redirect(selectors_posts.post_permalink(user, post))
    else:
        initial = {"body": post.body_markdown}
        if is_question:
            initial["title"] = thread.title
        form = EditForm(initial=initial, is_question=is_question)
    return _form_page(request, "forum/edit.html", form, post=post, thread=thread)


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
        deleted = _submit(
            request,
            form,
            act=lambda data: services.delete_post(post=post, by=user, reason=data["reason"]),
        )
        if deleted is not None:
            messages.success(request, "The post was deleted.")
            if post.number == 1 and not perms.can_see_thread(user, thread):
                return redirect(thread.category.get_absolute_url())
            thread.refresh_from_db()
            if post.number == 1 and thread.moderation_state == ThreadState.DELETED:
                return redirect(thread.category.get_absolute_url())
            return redirect(selectors_posts.post_permalink(user, post))
    else:
        form = DeleteForm()
    return _form_page(
        request, "forum/delete.html", form, post=post, thread=thread, own=post.author_id == user.pk
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
