"""Reads for Resource Center pages: the home page, section listings and content pages.

Every function here issues a bounded number of queries whatever the number of pages: listings
are fetched as one `Page` query, made specific with one query per page type, and decorated with
product areas and tags in one query each (see `decorate_listing`).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Func, OuterRef, Q, Subquery

from wagtail.models import Page

from taggit.models import Tag

from kb.models import (
    ArticleFeedback,
    ArticlePage,
    CodeSamplePage,
    ProductArea,
    ResourceIndexPage,
    ResourcePageTag,
    VideoPage,
)
from resourcecenter import access

CONTENT_MODELS = (ArticlePage, CodeSamplePage, VideoPage)
ARTICLE_KINDS = {choice for choice, _ in ArticlePage.Kind.choices}
LISTING_PAGE_SIZE = 12
HOME_NEWEST = 6
HOME_POPULAR = 5
RELATED_LIMIT = 4


def content_pages():
    """Live, public (no Wagtail view restriction) Resource Center content pages that are
    listed (an `unlisted` page is reachable by its address only)."""
    return listed(Page.objects.live().public().type(*CONTENT_MODELS))


def listed(pages):
    """`pages` (a Page queryset) without the unlisted content pages."""
    return pages.exclude(
        Q(articlepage__unlisted=True)
        | Q(codesamplepage__unlisted=True)
        | Q(videopage__unlisted=True)
    )


def viewer_audiences(user) -> frozenset[str] | None:
    """What `user` may read (None: everything); asked once per request, not once per page."""
    return access.audiences_for(user)


def is_locked(page, audiences: frozenset[str] | None) -> bool:
    """True when the gate says the viewer's audiences do not include the page's audience."""
    if audiences is None:
        return False
    return not audiences.intersection(access.page_audience(page))


def decorate_listing(pages, user) -> list:
    """Attach what a listing card shows to each (specific) page, in a fixed number of queries.

    Sets `card_area` (ProductArea or None), `card_tags` (list of Tag) and `locked` (the viewer
    only gets a teaser because of the plan gate).
    """
    pages = list(pages)
    if not pages:
        return pages
    area_ids = {getattr(p, "product_area_id", None) for p in pages} - {None}
    areas = ProductArea.objects.in_bulk(area_ids) if area_ids else {}
    tags_by_page: dict[int, list] = defaultdict(list)
    for item in (
        ResourcePageTag.objects.filter(content_object_id__in=[p.pk for p in pages])
        .select_related("tag")
        .order_by("tag__name")
    ):
        tags_by_page[item.content_object_id].append(item.tag)
    audiences = viewer_audiences(user)
    for p in pages:
        p.card_area = areas.get(getattr(p, "product_area_id", None))
        p.card_tags = tags_by_page.get(p.pk, [])
        p.locked = is_locked(p, audiences)
    return pages


# --- Home page -------------------------------------------------------------------------------


def _content_count_under():
    """A subquery counting live, public content pages below the outer page."""
    return Subquery(
        content_pages()
        .filter(path__startswith=OuterRef("path"), depth__gt=OuterRef("depth"))
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")[:1]
    )


def sections_of(parent) -> list:
    """The live, public sections directly below `parent`, each with `content_count`."""
    return list(
        ResourceIndexPage.objects.child_of(parent)
        .live()
        .public()
        .annotate(content_count=_content_count_under())
        .order_by("path")
    )


def _helpful_votes():
    return Subquery(
        ArticleFeedback.objects.filter(page=OuterRef("pk"), helpful=True)
        .order_by()
        .values("page")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def newest_pages(root, limit: int = HOME_NEWEST) -> list:
    """The most recently published or updated content pages below `root`."""
    pages = (
        content_pages()
        .descendant_of(root)
        .order_by(F("last_published_at").desc(nulls_last=True), "path")
        .defer_streamfields()
        .specific()[:limit]
    )
    pages = list(pages)
    for p in pages:
        first, last = p.first_published_at, p.last_published_at
        p.recently_updated = bool(first and last and (last - first).total_seconds() > 3600)
    return pages


def popular_pages(root, limit: int = HOME_POPULAR) -> list:
    """The content pages readers found most helpful ("Was this helpful?" yes votes)."""
    return list(
        content_pages()
        .descendant_of(root)
        .annotate(helpful_votes=_helpful_votes())
        .filter(helpful_votes__gt=0)
        .order_by("-helpful_votes", "path")
        .defer_streamfields()
        .specific()[:limit]
    )


def start_here_pages(root, limit: int = HOME_POPULAR) -> list:
    """Beginner tutorials in the editors' order: the home page's pick before anyone has voted."""
    return list(
        ArticlePage.objects.live()
        .public()
        .descendant_of(root)
        .filter(unlisted=False)
        .filter(kind=ArticlePage.Kind.TUTORIAL, difficulty=ArticlePage.Difficulty.BEGINNER)
        .defer_streamfields()
        .order_by("path")[:limit]
    )


# --- Section listing -------------------------------------------------------------------------


def section_facets(page) -> dict:
    """What the section's content can be filtered by: kinds, product areas and tags present."""
    children = content_pages().child_of(page)
    kinds: set[str] = set()
    type_models = {
        model: model.objects.child_of(page).live().public().filter(unlisted=False)
        for model in CONTENT_MODELS
    }
    for content_type_id, kind in (
        children.order_by().values_list("content_type", "articlepage__kind").distinct()
    ):
        model = _model_for_content_type(content_type_id)
        if model is ArticlePage and kind:
            kinds.add(kind)
        elif model is CodeSamplePage:
            kinds.add("code_sample")
        elif model is VideoPage:
            kinds.add("video")
    area_filter = Q()
    for qs in type_models.values():
        area_filter |= Q(pk__in=qs.values("product_area_id"))
    areas = list(ProductArea.objects.filter(area_filter).order_by("name"))
    tags = list(
        Tag.objects.filter(kb_resourcepagetag_items__content_object__in=children.values("pk"))
        .distinct()
        .order_by("name")
    )
    return {"kinds": kinds, "areas": areas, "tags": tags}


def section_content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(ResourceIndexPage).pk


def _model_for_content_type(content_type_id):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_id(content_type_id).model_class()


def filter_content(qs, filters: dict[str, str]):
    """Apply valid listing filters to a Page queryset of content pages."""
    kind = filters.get("kind")
    if kind in ARTICLE_KINDS:
        qs = qs.filter(articlepage__kind=kind)
    elif kind == "code_sample":
        qs = qs.type(CodeSamplePage)
    elif kind == "video":
        qs = qs.type(VideoPage)
    area = filters.get("area")
    if area:
        qs = qs.filter(
            Q(articlepage__product_area__slug=area)
            | Q(codesamplepage__product_area__slug=area)
            | Q(videopage__product_area__slug=area)
        )
    tag = filters.get("tag")
    if tag:
        qs = qs.filter(resource_tagged_items__tag__slug=tag)
    return qs


# --- Content pages ---------------------------------------------------------------------------


def breadcrumbs(page) -> list:
    """The page's ancestors from the site's home page down (excluding Wagtail's root)."""
    return list(
        page.get_ancestors()
        .filter(depth__gt=1)
        .only("id", "title", "url_path", "path", "depth", "content_type")
    )


def siblings(page) -> tuple:
    """(previous, next) live, public content pages in the section, by the editors' order."""
    fields = ("id", "title", "url_path", "path", "depth")
    prev_page = (
        listed(page.get_prev_siblings())
        .live()
        .public()
        .type(*CONTENT_MODELS)
        .only(*fields)
        .order_by("-path")
        .first()
    )
    next_page = (
        listed(page.get_next_siblings())
        .live()
        .public()
        .type(*CONTENT_MODELS)
        .only(*fields)
        .order_by("path")
        .first()
    )
    return prev_page, next_page


def related_pages(page, tag_ids, limit: int = RELATED_LIMIT) -> list:
    """Content pages sharing the most tags with `page` (then the newest first)."""
    if not tag_ids:
        return []
    return list(
        content_pages()
        .exclude(pk=page.pk)
        .filter(resource_tagged_items__tag_id__in=tag_ids)
        .annotate(shared_tags=Count("resource_tagged_items", distinct=True))
        .order_by("-shared_tags", F("last_published_at").desc(nulls_last=True), "path")
        .defer_streamfields()
        .specific()[:limit]
    )


def feedback_for(page, request) -> ArticleFeedback | None:
    """The viewer's own vote on `page`, if any (by user, else by session)."""
    user = request.user
    if user.is_authenticated:
        return ArticleFeedback.objects.filter(page_id=page.pk, user=user).first()
    session_key = request.session.session_key if hasattr(request, "session") else None
    if not session_key:
        return None
    return ArticleFeedback.objects.filter(
        page_id=page.pk, user__isnull=True, session_key=session_key
    ).first()
