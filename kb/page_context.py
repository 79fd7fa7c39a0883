"""What each Resource Center page template gets: kb.selectors' reads arranged for display,
with the listing's filter form, filter chips and pagination links (query strings) and the
content page's feedback form. Selectors stay plain reads; this module is the presentation.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator

from kb.forms import FeedbackForm, ListingFilterForm
from kb.selectors import (
    LISTING_PAGE_SIZE,
    breadcrumbs,
    content_pages,
    decorate_listing,
    feedback_for,
    filter_content,
    newest_pages,
    popular_pages,
    related_pages,
    section_content_type_id,
    section_facets,
    sections_of,
    siblings,
    start_here_pages,
)
from resourcecenter import access


def home_page_context(page, request) -> dict:
    newest = newest_pages(page)
    popular = popular_pages(page)
    start_here = [] if popular else start_here_pages(page)
    decorate_listing(newest + popular + start_here, request.user)
    return {
        "sections": sections_of(page),
        "newest_pages": newest,
        "popular_pages": popular,
        "start_here_pages": start_here,
    }


def _query_string(params: dict[str, str], **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + urlencode(merged) if merged else "?"


def resource_index_context(page, request) -> dict:
    facets = section_facets(page)
    form = ListingFilterForm(
        request.GET if any(k in request.GET for k in ("kind", "area", "tag")) else None,
        kinds=facets["kinds"],
        areas=facets["areas"],
        tags=facets["tags"],
    )
    filters = form.filters()
    labels = {
        "kind": dict(form.fields["kind"].choices),
        "area": dict(form.fields["area"].choices),
        "tag": dict(form.fields["tag"].choices),
    }
    active_filters = [
        {
            "name": name,
            "label": form.fields[name].label,
            "value": labels[name].get(value, value),
            "remove_url": _query_string(filters, **{name: None}),
        }
        for name, value in filters.items()
    ]
    pages = filter_content(content_pages().child_of(page), filters).order_by("path")
    paginator = Paginator(pages.defer_streamfields().specific(), LISTING_PAGE_SIZE)
    listing = paginator.get_page(request.GET.get("page"))
    items = decorate_listing(listing.object_list, request.user)
    return {
        "filter_form": form,
        "filters": filters,
        "active_filters": active_filters,
        "clear_filters_url": "?",
        "listing": listing,
        "items": items,
        "result_count": paginator.count,
        "page_links": _page_links(listing, filters),
        "subsections": sections_of(page),
        "breadcrumbs": breadcrumbs(page),
    }


def _page_links(listing, filters) -> dict:
    """Pagination links that keep the active filters."""
    paginator = listing.paginator
    links = {"pages": []}
    if listing.has_previous():
        links["previous"] = _query_string(filters, page=listing.previous_page_number())
    if listing.has_next():
        links["next"] = _query_string(filters, page=listing.next_page_number())
    for number in paginator.get_elided_page_range(listing.number, on_each_side=2, on_ends=1):
        if number == paginator.ELLIPSIS:
            links["pages"].append({"ellipsis": True})
        else:
            links["pages"].append(
                {
                    "number": number,
                    "url": _query_string(filters, page=number),
                    "current": number == listing.number,
                }
            )
    return links


def resource_page_context(page, request) -> dict:
    """Everything an article / code sample / video page shows besides its own fields.

    When the plan gate says the viewer may not read the page, only the teaser and the upgrade
    path are prepared (`gated`), and nothing of the body is.
    """
    crumbs = breadcrumbs(page)
    parent = crumbs[-1] if crumbs else None
    is_section = parent is not None and parent.content_type_id == section_content_type_id()
    context = {
        "breadcrumbs": crumbs,
        "section_url": parent.get_url(request) if is_section else None,
        "gated": not access.can_view_page(request.user, page),
    }
    if context["gated"]:
        context["gated_plans"] = access.gated_plans(access.page_audience(page))
        context["gated_teaser"] = access.page_teaser(page)
        return context
    tags = list(page.tags.all())
    previous_page, next_page = siblings(page)
    related = related_pages(page, [t.pk for t in tags])
    decorate_listing(related, request.user)
    context.update(
        {
            "toc": page.headings,
            "page_tags": tags,
            "previous_page": previous_page,
            "next_page": next_page,
            "related_pages": related,
            "my_feedback": feedback_for(page, request),
            "feedback_form": FeedbackForm(),
        }
    )
    return context
