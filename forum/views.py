"""The Community's pages. Thin: check permission (forum.permissions), call one selector or
service, render. Every refusal shows the reason; every input error is shown on its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum import permissions as perms
from forum import selectors, services
from forum.cache import primed, remember, render_posts, render_thread_rows, serve_page
from forum.forms import AskForm, DeleteForm, EditForm, ReplyForm, apply_validation_error
from forum.gated import gated_response
from forum.markdown import render_markdown
from forum.models import Post, PostState, PostVote, Tag, ThreadState
from resourcecenter import access
from resourcecenter.clientip import client_ip
from resourcecenter.redirects import safe_next_url, safe_url

PREVIEW_MAX = services.BODY_MAX


# --- helpers -----------------------------------------------------------------------------------


def _denied(request, verdict_or_reason, *, status: int = 403):
    """Anonymous visitors are sent to log in; others see why they cannot do it."""
    reason = getattr(verdict_or_reason, "reason", verdict_or_reason)
    if _wants_json(request):
        return JsonResponse({"error": reason}, status=status)
    if not request.user.is_authenticated and status == 403:
        # Signing in may change the answer (a plan, staff rights ...): ask for it first.
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        referer = request.headers.get("Referer", "")
        fallback = safe_url(request, referer, reverse("forum:index"))
        return redirect_to_login(safe_next_url(request, fallback))
    return render(request, "forum/denied.html", {"reason": reason}, status=status)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _say_posted(request, what: str, held: bool) -> None:
    """Tell the author whether their question or reply is live or waiting for a moderator."""
    if held:
        messages.info(
            request,
            f"Thanks! Your {what} is waiting for a moderator's approval; "
            "only you can see it until then.",
        )
    else:
        messages.success(request, f"Your {what} is posted.")


def _rate_limited(request, action: str) -> str | None:
    """The forum's rate limits (forum.ratelimits, when present): a message if over the limit.

    Actions: "post" (threads and replies), "edit", "vote", "flag", "preview".
    """
    try:
        from forum import ratelimits
    except ImportError:
        return None
    check = getattr(ratelimits, "check", None)
    return check(request, action) if check else None


def _rate_limited_response(request, message: str):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=429)
    return render(request, "forum/denied.html", {"reason": message}, status=429)


def _visible_thread_or_404(request, pk: int) -> tuple:
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


def _thread_denied(request, thread, denial: str):
    """A thread in a plan-gated category: visitors sign in first (they may have the plan);
    signed-in readers without it see the category's teaser and the way to get it."""
    if request.user.is_authenticated and not _wants_json(request):
        return gated_response(request, thread.category, thread=thread)
    return _denied(request, denial)


def _post_or_404(request, pk: int) -> Post:
    post = selectors.get_post(pk)
    if post is None or not perms.can_see_post(request.user, post):
        raise Http404("No such post.")
    return post


# --- reading -----------------------------------------------------------------------------------


@require_GET
@primed
def index(request):
    user = request.user
    return serve_page(
        request,
        lambda: render(
            request,
            "forum/index.html",
            {
                "categories": selectors.categories_with_counts(user),
                "latest": _with_rows(request, selectors.latest_threads(user, limit=12)),
            },
        ),
    )


def _listing_context(request, **kwargs):
    listing = selectors.thread_listing(
        request.user,
        sort=request.GET.get("sort", "activity"),
        filter=request.GET.get("filter", ""),
        page=request.GET.get("page", 1),
        **kwargs,
    )
    hide_category = kwargs.get("category") is not None
    threads = _with_rows(request, listing.threads, hide_category=hide_category)
    return {"listing": listing, "threads": threads}


def _with_rows(request, threads, *, hide_category: bool = False):
    """`threads` with their rendered rows (forum/_thread_row.html, cached: forum.cache)."""
    render_thread_rows(request, threads, hide_category=hide_category)
    return threads


@require_GET
@primed
def thread_list(request):
    def build():
        context = _listing_context(request)
        context["heading"] = "All threads"
        return render(request, "forum/thread_list.html", context)

    return serve_page(request, build)


@require_GET
@primed
def category(request, slug: str):
    obj = selectors.category_by_slug(slug)
    if obj is None:
        raise Http404("No such category.")
    verdict = perms.can_read_category(request.user, obj)
    if not verdict:
        if not obj.is_active:
            raise Http404(verdict.reason)
        if _wants_json(request):
            return _denied(request, verdict)
        return gated_response(request, obj)

    def build():
        context = _listing_context(request, category=obj)
        context.update(
            {
                "category": obj,
                "heading": obj.name,
                "can_start": perms.can_start_thread(request.user, obj),
            }
        )
        return render(request, "forum/thread_list.html", context)

    return serve_page(request, build)


@require_GET
@primed
def tag(request, slug: str):
    obj = get_object_or_404(Tag, slug=slug)

    def build():
        context = _listing_context(request, tag=obj)
        context.update({"tag": obj, "heading": f"Tagged “{obj.name}”"})
        return render(request, "forum/thread_list.html", context)

    return serve_page(request, build)


@require_GET
@primed
def thread_redirect(request, pk: int):
    thread, denial = _visible_thread_or_404(request, pk)
    if denial is not None:
        return _thread_denied(request, thread, denial)
    return HttpResponsePermanentRedirect(thread.get_absolute_url())


@require_GET
@primed
def thread_detail(request, pk: int, slug: str):
    thread, denial = _visible_thread_or_404(request, pk)
    if denial is not None:
        return _thread_denied(request, thread, denial)
    if thread.merged_into_id and thread.moderation_state != ThreadState.VISIBLE:
        return HttpResponsePermanentRedirect(thread.merged_into.get_absolute_url())
    if slug != thread.slug:
        url = thread.get_absolute_url()
        if request.GET:
            url += "?" + request.GET.urlencode()
        return HttpResponsePermanentRedirect(url)
    user = request.user
    if thread.moderation_state == ThreadState.VISIBLE:
        # Count once per session; never create a session just to count an anonymous view.
        has_session = user.is_authenticated or request.session.session_key is not None
        services.record_view(thread, request.session if has_session else None)
    return serve_page(request, lambda: _render_thread(request, thread))


def _render_thread(request, thread):
    user = request.user
    data = selectors.thread_page(user, thread, page=request.GET.get("page", 1))
    thread_can = perms.thread_actions(user, thread)
    post_rows = [
        {
            "post": post,
            "can": perms.post_actions(user, post, thread, thread_can=thread_can),
            "voted": post.pk in data.voted_post_ids,
            "anchor": True,
        }
        for post in data.posts
    ]
    accepted_row = None
    if data.accepted_answer is not None and data.page.number == 1:
        accepted_row = {
            "post": data.accepted_answer,
            "can": perms.post_actions(user, data.accepted_answer, thread, thread_can=thread_can),
            "voted": False,
            "anchor": False,
        }
    render_posts(request, thread, post_rows + ([accepted_row] if accepted_row else []))
    canonical = thread.get_absolute_url()
    if data.page.number > 1:
        canonical += f"?page={data.page.number}"
    question = data.question
    context = {
        "thread": thread,
        "data": data,
        "post_rows": post_rows,
        "accepted_row": accepted_row,
        "can": thread_can,
        "reply_form": ReplyForm() if thread_can["reply"] else None,
        "noindex": thread.moderation_state != ThreadState.VISIBLE,
        "canonical_url": request.build_absolute_uri(canonical),
        # tiers answers from tickets, memberships and plans: all in the access generation.
        "escalation": remember(
            f"escalation-offer:{user.pk}:{thread.pk}:{thread.author_id}",
            lambda: access.thread_escalation_option(user, thread),
            access=True,
        )
        if user.is_authenticated
        else None,
        "description": selectors.post_description(question)
        if question is not None and perms.can_see_post_content(user, question)
        else "",
    }
    return render(request, "forum/thread_detail.html", context)


@require_GET
def post_permalink(request, pk: int):
    post = _post_or_404(request, pk)
    return redirect(selectors.post_permalink(request.user, post))


@require_GET
def post_history(request, pk: int):
    post = _post_or_404(request, pk)
    verdict = perms.can_view_revisions(request.user, post)
    if not verdict:
        return _denied(request, verdict)
    return render(
        request,
        "forum/post_history.html",
        {
            "post": post,
            "thread": post.thread,
            "revisions": selectors.post_revisions(post),
            "noindex": True,
        },
    )


# --- writing -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ask(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    verdict = perms.can_write(user)
    if not verdict:
        return _denied(request, verdict)
    categories = selectors.startable_categories(user)
    if request.method == "POST":
        form = AskForm(request.POST, categories=categories)
        if form.is_valid():
            limited = _rate_limited(request, "post")
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
                    _say_posted(request, "question", thread.moderation_state == ThreadState.HELD)
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
    thread, denial = _visible_thread_or_404(request, pk)
    if denial is not None:
        return _denied(request, denial)
    user = request.user
    verdict = perms.can_reply(user, thread)
    if not verdict:
        return _denied(request, verdict)
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
            limited = _rate_limited(request, "post")
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
                    _say_posted(request, "reply", post.moderation_state == PostState.HELD)
                    return redirect(selectors.post_permalink(user, post))
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
    post = _post_or_404(request, pk)
    user = request.user
    verdict = perms.can_edit_post(user, post)
    if not verdict:
        return _denied(request, verdict)
    thread = post.thread
    is_question = post.number == 1
    if request.method == "POST":
        form = EditForm(request.POST, is_question=is_question)
        if form.is_valid():
            limited = _rate_limited(request, "edit")
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
                    return redirect(selectors.post_permalink(user, post))
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
    post = _post_or_404(request, pk)
    user = request.user
    verdict = perms.can_delete_post(user, post)
    if not verdict:
        return _denied(request, verdict)
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
                return redirect(selectors.post_permalink(user, post))
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
    post = _post_or_404(request, pk)
    user = request.user
    verdict = perms.can_vote(user, post)
    if not verdict:
        return _denied(request, verdict)
    limited = _rate_limited(request, "vote")
    if limited:
        return _rate_limited_response(request, limited)
    wants_vote = request.POST.get("action", "toggle")
    has_voted = PostVote.objects.filter(post=post, user=user).exists()
    if wants_vote == "remove" or (wants_vote == "toggle" and has_voted):
        services.remove_vote(post=post, user=user)
        voted = False
    else:
        services.vote_helpful(post=post, user=user)
        voted = True
    post.refresh_from_db(fields=["helpful_count"])
    if _wants_json(request):
        return JsonResponse({"voted": voted, "helpful_count": post.helpful_count})
    return redirect(selectors.post_permalink(user, post))


@require_POST
def accept(request, pk: int):
    """Accept (or with action=unaccept, withdraw) an answer in thread `pk`."""
    thread, denial = _visible_thread_or_404(request, pk)
    if denial is not None:
        return _denied(request, denial)
    user = request.user
    try:
        if request.POST.get("action") == "unaccept":
            verdict = perms.can_accept_answer(user, thread)
            if not verdict:
                return _denied(request, verdict)
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
            return _denied(request, "Choose a reply of this thread to accept.", status=400)
        verdict = perms.can_accept_answer(user, thread, post)
        if not verdict:
            return _denied(request, verdict)
        services.accept_answer(thread=thread, post=post, by=user)
    except services.ForumPermissionDenied as error:
        return _denied(request, str(error))
    messages.success(request, "Marked as the accepted answer. The thread is solved.")
    return redirect(selectors.post_permalink(user, post))


@require_POST
def official(request, pk: int):
    """Mark (action=mark) or unmark (action=unmark) post `pk` as the official answer."""
    post = _post_or_404(request, pk)
    user = request.user
    verdict = perms.can_mark_official(user, post)
    if not verdict:
        return _denied(request, verdict)
    mark = request.POST.get("action", "mark") != "unmark"
    services.mark_official_answer(post=post, by=user, official=mark)
    messages.success(
        request, "Marked as the official answer." if mark else "No longer the official answer."
    )
    return redirect(selectors.post_permalink(user, post))


# --- helpers for the ask / reply forms (JSON) -------------------------------------------------


@require_POST
def preview(request):
    """Render Markdown exactly as it would be stored, for the live preview (JSON)."""
    user = request.user
    verdict = perms.can_preview(user)
    if not verdict:
        return JsonResponse({"error": verdict.reason}, status=403)
    limited = _rate_limited(request, "preview")
    if limited:
        return JsonResponse({"error": limited}, status=429)
    body = request.POST.get("body", "")
    if len(body) > PREVIEW_MAX:
        return JsonResponse(
            {"error": f"That is too long to preview (at most {PREVIEW_MAX:,} characters)."},
            status=400,
        )
    allowed = perms.may_post_links(user)
    html = render_markdown(body, allow_links=allowed, allow_images=allowed)
    return JsonResponse({"html": html, "links_allowed": allowed})


@require_GET
def similar(request):
    """Threads with similar titles (the ask form's fallback for the search app's suggest API)."""
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.similar_threads(request.user, query) if len(query) >= 3 else []
    return JsonResponse({"query": query, "results": results})


# --- staff -------------------------------------------------------------------------------------


@require_GET
@primed
def triage(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    verdict = perms.can_view_triage(user)
    if not verdict:
        return _denied(request, verdict)
    hours_param = request.GET.get("hours", "")
    hours = int(hours_param) if hours_param.isdigit() else None
    page, view, hours = selectors.triage_listing(
        user, view=request.GET.get("view", "unanswered"), hours=hours, page=request.GET.get("page")
    )
    return render(
        request,
        "forum/triage.html",
        {
            "page": page,
            "threads": _with_rows(request, page.object_list),
            "view": view,
            "hours": hours,
            "views": selectors.TRIAGE_VIEWS,
            "counts": selectors.triage_counts(user, hours),
            "page_base": f"?view={view}&hours={hours}&",
            "noindex": True,
        },
    )
