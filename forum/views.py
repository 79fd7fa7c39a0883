"""The Community's reading pages (writing pages are in forum.views_posting). Thin: check
permission (forum.permissions), call one selector or service, render. Every refusal shows the
reason; every input error is shown on its field."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from forum import permissions as perms
from forum import post_text, selectors, selectors_posts, services
from forum.cache import primed, remember, render_posts, render_thread_rows, serve_page
from forum.forms import ReplyForm
from forum.gated import gated_response
from forum.markdown import render_markdown
from forum.models import Tag, ThreadState
from forum.view_helpers import (
    denied,
    post_or_404,
    rate_limited,
    thread_denied,
    visible_thread_or_404,
    wants_json,
)
from resourcecenter import access

PREVIEW_MAX = post_text.BODY_MAX


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
        if wants_json(request):
            return denied(request, verdict)
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
    thread, denial = visible_thread_or_404(request, pk)
    if denial is not None:
        return thread_denied(request, thread, denial)
    return HttpResponsePermanentRedirect(thread.get_absolute_url())


@require_GET
@primed
def thread_detail(request, pk: int, slug: str):
    thread, denial = visible_thread_or_404(request, pk)
    if denial is not None:
        return thread_denied(request, thread, denial)
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
    data = selectors_posts.thread_page(user, thread, page=request.GET.get("page", 1))
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
        "description": selectors_posts.post_description(question)
        if question is not None and perms.can_see_post_content(user, question)
        else "",
    }
    return render(request, "forum/thread_detail.html", context)


@require_GET
def post_permalink(request, pk: int):
    post = post_or_404(request, pk)
    return redirect(selectors_posts.post_permalink(request.user, post))


@require_GET
def post_history(request, pk: int):
    post = post_or_404(request, pk)
    verdict = perms.can_view_revisions(request.user, post)
    if not verdict:
        return denied(request, verdict)
    return render(
        request,
        "forum/post_history.html",
        {
            "post": post,
            "thread": post.thread,
            "revisions": selectors_posts.post_revisions(post),
            "noindex": True,
        },
    )


# --- helpers for the ask / reply forms (JSON) -------------------------------------------------


@require_POST
def preview(request):
    """Render Markdown exactly as it would be stored, for the live preview (JSON)."""
    user = request.user
    verdict = perms.can_preview(user)
    if not verdict:
        return JsonResponse({"error": verdict.reason}, status=403)
    limited = rate_limited(request, "preview")
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
        return denied(request, verdict)
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
