"""The search page and the type-ahead endpoint. Thin: the work is in search.services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from resourcecenter import journeys
from resourcecenter.models import HelpEvent
from search import services
from search.documents import KIND_LABELS
from search.forms import SearchForm
from search.query import MAX_QUERY_CHARS, normalize_query


def _querystring(params: dict, **changes) -> str:
    merged = {k: list(v) if isinstance(v, list) else v for k, v in params.items()}
    for key, value in changes.items():
        merged[key] = value
    pairs = []
    for key, value in merged.items():
        if value in (None, "", [], False):
            continue
        if isinstance(value, list):
            pairs += [(key, v) for v in value]
        else:
            pairs.append((key, "1" if value is True else value))
    return "?" + urlencode(pairs)


def _toggle(values: list[str], value: str) -> list[str]:
    return [v for v in values if v != value] if value in values else [*values, value]


@require_GET
def search_page(request):
    form = SearchForm(request.GET or None)
    errors: list[str] = []
    if form.is_bound and not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    data = form.cleaned_data if form.is_bound else {}
    query = data.get("q") or ""
    if not query and form.is_bound and "q" in form.errors:
        query = normalize_query(request.GET.get("q", ""))[:MAX_QUERY_CHARS]
    filters = services.Filters(
        kinds=data.get("kind") or [],
        product_areas=data.get("area") or [],
        tags=data.get("tag") or [],
        solved_only=bool(data.get("solved")),
        staff_answered_only=bool(data.get("staff")),
    )
    page = data.get("page") or 1
    outcome = services.search(request.user, query, filters, page) if query else None
    if outcome is not None and page == 1:
        journeys.record(request, HelpEvent.SEARCH)  # for the deflection figure

    params = {
        "q": query,
        "kind": filters.kinds,
        "area": filters.product_areas,
        "tag": filters.tags,
        "solved": filters.solved_only,
        "staff": filters.staff_answered_only,
    }
    context = {
        "search_query": query,
        "form": form,
        "errors": errors,
        "outcome": outcome,
        "filters": filters,
        "kind_labels": KIND_LABELS,
        "clear_filters_url": _querystring({"q": query}),
    }
    if outcome is not None:
        context.update(_facet_links(outcome, filters, params))
        context.update(_result_links(outcome, params))
        if not outcome.result.total:
            context["popular"] = services.popular_documents(request.user)
            context["ask_url"] = _ask_url(query)
    status = 503 if outcome is not None and outcome.unavailable else 200
    return render(request, "search/search.html", context, status=status)


def _facet_links(outcome, filters, params: dict) -> dict:
    """The facets of a result, each with the URL that toggles it (keeping the other filters)."""
    facets = outcome.result.facets
    return {
        "kind_facets": [
            {
                "value": k,
                "label": KIND_LABELS.get(k, k),
                "count": n,
                "selected": k in filters.kinds,
                "url": _querystring(params, kind=_toggle(filters.kinds, k), page=None),
            }
            for k, n in facets.kind
        ],
        "area_facets": [
            {
                "value": slug,
                "label": name,
                "count": n,
                "selected": slug in filters.product_areas,
                "url": _querystring(params, area=_toggle(filters.product_areas, slug), page=None),
            }
            for slug, name, n in facets.product_area
        ],
        "tag_facets": [
            {
                "value": t,
                "label": t,
                "count": n,
                "selected": t in filters.tags,
                "url": _querystring(params, tag=_toggle(filters.tags, t), page=None),
            }
            for t, n in facets.tag
        ],
        "solved_url": _querystring(params, solved=not filters.solved_only, page=None),
        "staff_url": _querystring(params, staff=not filters.staff_answered_only, page=None),
    }


def _result_links(outcome, params: dict) -> dict:
    """Pagination, spelling-correction links and the range of results shown."""
    return {
        "prev_url": _querystring(params, page=outcome.page - 1) if outcome.page > 1 else None,
        "next_url": _querystring(params, page=outcome.page + 1)
        if outcome.page < outcome.num_pages
        else None,
        "did_you_mean_url": _querystring(params, q=outcome.did_you_mean, page=None)
        if outcome.did_you_mean
        else None,
        "original_url": _querystring(params, q=outcome.corrected_from, page=None)
        if outcome.corrected_from
        else None,
        "first_result": (outcome.page - 1) * outcome.per_page + 1,
        "last_result": (outcome.page - 1) * outcome.per_page + len(outcome.result.hits),
    }


def _ask_url(query: str) -> str:
    """The community's ask form, with the unanswered query as the question's title."""
    return reverse("forum:ask") + "?" + urlencode({"title": query})


@require_GET
def suggest(request):
    """JSON type-ahead: {"query", "results": [{kind, title, url, snippet, solved,
    staff_answered}], "did_you_mean"}."""
    raw = request.GET.get("q", "")
    if len(raw) > MAX_QUERY_CHARS:
        return JsonResponse(
            {"error": f"The query is longer than {MAX_QUERY_CHARS} characters."}, status=400
        )
    try:
        limit = min(max(int(request.GET.get("limit", 8)), 1), 20)
    except ValueError:
        return JsonResponse({"error": "limit must be a whole number."}, status=400)
    payload = services.suggest(request.user, raw, limit=limit)
    response = JsonResponse(payload)
    response["Cache-Control"] = "private, max-age=30"
    response["Vary"] = "Cookie"
    return response
