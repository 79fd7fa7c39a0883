"""Search documents for the Resource Center's pages (tutorials, guides, code samples, videos,
support topics). Read-only use of kb's models; the search app indexes what this returns.

A page is in the index only while it is live, has no Wagtail view restriction on itself or an
ancestor, and sits under a site (has a URL). Its audience comes from the tiers gate.

A long page (a reference of hundreds of commands) is one document per section: the page's own
document (`page:12`: title, summary, every heading, the text before the first section) and
`page:12#1`, `page:12#2`... (the page's title and the section's heading, its text, a link to
its anchor). Every section inherits the page's kind, tags, area and audience, so the gate and
the filters treat it as the page; search shows a page once (`search.documents.page_of`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from kb.blocks import heading_anchor
from kb.models import ArticlePage, CodeSamplePage, ProductArea, ResourceIndexPage, VideoPage
from resourcecenter import access
from resourcecenter.text import collapse_whitespace, html_to_text
from search.documents import BODY_MAX_CHARS, SearchDocument
from search.indexing import schedule_reindex
from search.registry import Provider, register

PAGE_MODELS = (ArticlePage, CodeSamplePage, VideoPage)
# A page with more text than this is indexed by section: a whole reference page matches most
# queries and, long as it is, ranks low for the words it defines (and the engines keep only
# BODY_MAX_CHARS of a document). A forum thread is split at the same size.
SPLIT_CHARS = 20_000
# Sections shorter than this join the next one (a heading over two lines is no answer).
SECTION_MIN_CHARS = 1_500
# The most documents a page is split into (short sections are joined until it fits). Also
# how many section ids a re-index clears, so a page that shrank leaves none behind.
MAX_SECTIONS = 100
KIND_MODELS = {
    "tutorial": [ArticlePage],
    "guide": [ArticlePage],
    "support_topic": [ArticlePage],
    "code_sample": [CodeSamplePage],
    "video": [VideoPage],
}


def stream_text(stream) -> tuple[list[str], list[str]]:
    """(headings, body parts) of a kb StreamField: each block says its own (kb.blocks)."""
    headings: list[str] = []
    parts: list[str] = []
    for block in stream or []:
        headings += block.block.get_searchable_headings(block.value)
        parts += block.block.get_searchable_content(block.value)
    return [collapse_whitespace(h) for h in headings if h], [
        collapse_whitespace(p) for p in parts if p
    ]


def _restricted_paths() -> list[str]:
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def _is_restricted(page: Page, restricted: list[str]) -> bool:
    return any(page.path.startswith(path) for path in restricted)


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time(12, 0)))


def build_section_document(page, *, restricted=None) -> SearchDocument | None:
    """A section page with text of its own (a docs folder's index): readers land on it, so
    search must find it. A section that only lists its children is left out (its title alone
    would crowd out the pages it lists)."""
    if not isinstance(page, ResourceIndexPage) or not page.live or page.depth <= 2:
        return None
    intro = html_to_text(page.intro or "")
    if not intro:
        return None
    restricted = _restricted_paths() if restricted is None else restricted
    if _is_restricted(page, restricted):
        return None
    url = page.get_url()
    if not url:
        return None
    parent = page.get_parent()
    return SearchDocument(
        kind="guide",
        id=f"page:{page.pk}",
        url=url,
        title=page.title,
        summary=page.search_description or "",
        body=intro,
        section=parent.title if parent and parent.depth > 2 else "",
        audience=list(access.page_audience(page)),
        created=page.first_published_at,
        updated=page.last_published_at,
    )


@dataclass
class PageSection:
    """A run of a page's body: from one heading (none: the page's opening) to the next."""

    heading: str = ""
    anchor: str = ""
    headings: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(p) + 1 for p in self.parts)

    def copy(self) -> PageSection:
        return PageSection(self.heading, self.anchor, [*self.headings], [*self.parts])

    def absorb(self, other: PageSection) -> None:
        self.headings += other.headings
        self.parts += other.parts


def page_sections(page) -> list[PageSection]:
    """The page's body cut at its headings (the opening first), short sections joined to the
    next, none longer than the engines index (a longer one continues in a second part with
    the same anchor), at most MAX_SECTIONS."""
    page.headings  # noqa: B018 - gives every heading block its page-unique anchor (`_anchor`)
    cut = [PageSection()]
    for block in page.body or []:
        if block.block_type == "heading":
            heading = collapse_whitespace(block.value["text"])
            cut.append(PageSection(heading, heading_anchor(block.value)))
        headings, parts = stream_text([block])
        cut[-1].headings += headings
        cut[-1].parts += parts
    if isinstance(page, VideoPage) and page.transcript:
        cut.append(PageSection("Transcript", "transcript", parts=[page.transcript]))
    minimum = SECTION_MIN_CHARS
    while True:
        sections = _split_long(_join_short(cut, minimum))
        if len(sections) <= MAX_SECTIONS:
            return sections
        minimum *= 2


def _join_short(cut: list[PageSection], minimum: int) -> list[PageSection]:
    joined = [cut[0].copy()]
    for section in cut[1:]:
        last = joined[-1]
        if last.size < minimum and last.size + section.size <= BODY_MAX_CHARS:
            last.absorb(section)
        else:
            joined.append(section.copy())
    return joined


def _split_long(sections: list[PageSection]) -> list[PageSection]:
    out: list[PageSection] = []
    for section in sections:
        if section.size <= BODY_MAX_CHARS:
            out.append(section)
            continue
        pieces = [
            p[i : i + BODY_MAX_CHARS]
            for p in section.parts
            for i in range(0, len(p), BODY_MAX_CHARS)
        ]
        part = PageSection(section.heading, section.anchor, section.headings, [])
        for piece in pieces:
            if part.parts and part.size + len(piece) > BODY_MAX_CHARS:
                out.append(part)
                part = PageSection(section.heading, section.anchor, section.headings, [])
            part.parts.append(piece)
        out.append(part)
    return out


def build_documents(
    page, *, section: str | None = None, restricted=None
) -> list[tuple[str, SearchDocument | None]]:
    """The page's documents by id: its own and, for a long page, one per section; every
    section id it does not use (any more) with None, so a page that shrank, was unpublished,
    restricted or deleted leaves no section behind."""
    sections = _page_documents(page, section=section, restricted=restricted)
    documents: dict[str, SearchDocument | None] = {f"page:{page.pk}": None}
    documents.update((section_id(page.pk, n), None) for n in range(1, MAX_SECTIONS + 1))
    documents.update((doc.id, doc) for doc in sections)
    return list(documents.items())


def section_id(page_pk: int, n: int) -> str:
    return f"page:{page_pk}#{n}"


def build_document(page, *, section: str | None = None, restricted=None) -> SearchDocument | None:
    """The search document of a specific kb page (a long page's: its opening, title, summary
    and every heading), or None when it must not be found."""
    documents = _page_documents(page, section=section, restricted=restricted)
    return documents[0] if documents else None


def _page_documents(page, *, section: str | None = None, restricted=None) -> list[SearchDocument]:
    if isinstance(page, ResourceIndexPage):
        document = build_section_document(page, restricted=restricted)
        return [document] if document else []
    if not isinstance(page, PAGE_MODELS) or not page.live or page.unlisted:
        return []
    restricted = _restricted_paths() if restricted is None else restricted
    if _is_restricted(page, restricted):
        return []
    url = page.get_url()
    if not url:
        return []
    if section is None:
        parent = page.get_parent()
        section = parent.title if parent and parent.depth > 2 else ""
    headings, parts = stream_text(page.body)
    extra = []
    if isinstance(page, CodeSamplePage) and page.task:
        extra.append(page.task)
    if isinstance(page, VideoPage):
        chapter_headings, _ = stream_text(page.chapters)
        headings += chapter_headings
        parts.append(page.transcript or "")
    common = _shared_fields(page, section)
    body = collapse_whitespace(" ".join([*extra, *parts]))
    sections = page_sections(page) if len(body) > SPLIT_CHARS else []
    if len(sections) > 1:
        body = collapse_whitespace(" ".join([*extra, *sections[0].parts]))
    documents = [
        SearchDocument(
            id=f"page:{page.pk}",
            url=url,
            title=page.title,
            headings=" · ".join(headings),
            summary=page.summary or "",
            body=body,
            **common,
        )
    ]
    for n, part in enumerate(sections[1:], start=1):
        documents.append(
            SearchDocument(
                id=section_id(page.pk, n),
                url=f"{url}#{part.anchor}" if part.anchor else url,
                title=f"{page.title} › {part.heading}" if part.heading else page.title,
                headings=" · ".join(part.headings),
                body=collapse_whitespace(" ".join(part.parts)),
                **common,
            )
        )
    return documents


def _shared_fields(page, section: str) -> dict:
    """What a page's documents have in common: its sections are filtered, gated and counted
    as the page."""
    area = page.product_area
    return {
        "kind": page.search_kind,
        "tags": [t.name for t in page.tags.all()],
        "product_area": area.slug if area else "",
        "product_area_name": area.name if area else "",
        "section": section,
        "audience": list(access.page_audience(page)),
        "created": page.first_published_at,
        "updated": _as_datetime(page.last_reviewed) or page.last_published_at,
        "popularity": 0.0,
    }


class KbProvider(Provider):
    name = "kb"
    kinds = ("tutorial", "guide", "code_sample", "video", "support_topic")

    def handles(self, obj) -> bool:
        return isinstance(obj, Page | PageViewRestriction | ProductArea)

    def keys_for(self, obj) -> list[str]:
        if isinstance(obj, PageViewRestriction):
            obj = obj.page
        if isinstance(obj, ProductArea):
            return [f"area:{obj.pk}"]
        keys = [f"page:{obj.pk}"]
        if obj.path and getattr(obj, "numchild", 0):
            keys.append(f"subtree:{obj.pk}")
        return keys

    def resolve(self, key: str):
        prefix, _, raw_id = key.partition(":")
        pk = int(raw_id)
        restricted = _restricted_paths()
        if prefix == "page":
            page = Page.objects.filter(pk=pk).first()
            if page is None:  # deleted: the page and every section it may have had
                yield f"page:{pk}", None
                yield from ((section_id(pk, n), None) for n in range(1, MAX_SECTIONS + 1))
            else:
                yield from build_documents(page.specific, restricted=restricted)
        elif prefix == "subtree":
            root = Page.objects.filter(pk=pk).first()
            if root is None:
                return
            for page in Page.objects.descendant_of(root).specific():
                if isinstance(page, (*PAGE_MODELS, ResourceIndexPage)):
                    yield from build_documents(page, restricted=restricted)
        elif prefix == "area":
            for model in PAGE_MODELS:
                for page in model.objects.filter(product_area_id=pk):
                    yield from build_documents(page, restricted=restricted)
        else:
            raise ValueError(f"unknown kb index key {key!r}")

    def _querysets(self, kind: str | None):
        models = KIND_MODELS[kind] if kind else list(PAGE_MODELS)
        for model in models:
            qs = model.objects.live().select_related("product_area").prefetch_related("tags")
            if model is ArticlePage and kind:
                if kind == "guide":
                    qs = qs.filter(kind__in=["guide", "api_key_guide"])
                else:
                    qs = qs.filter(kind=kind)
            yield qs

    def count(self, kind: str | None = None) -> int:
        return sum(qs.count() for qs in self._querysets(kind))

    def iter_documents(self, kind: str | None = None) -> Iterator[SearchDocument]:
        restricted = _restricted_paths()
        sections = {p.path: p.title for p in ResourceIndexPage.objects.all().only("path", "title")}
        for qs in self._querysets(kind):
            for page in qs.iterator(chunk_size=200):
                parent_path = page.path[: -Page.steplen]
                yield from _page_documents(
                    page, section=sections.get(parent_path, ""), restricted=restricted
                )
        if kind in (None, "guide"):
            for page in ResourceIndexPage.objects.live().exclude(intro=""):
                doc = build_section_document(page, restricted=restricted)
                if doc is not None:
                    yield doc

    def popular_documents(self, limit: int) -> list[SearchDocument]:
        """Pages readers found most helpful, then the most recently reviewed."""
        from django.db.models import Count, Q

        from kb.models import ArticleFeedback

        helpful = (
            ArticleFeedback.objects.filter(helpful=True)
            .values("page_id")
            .annotate(n=Count("id"))
            .order_by("-n")[: limit * 2]
        )
        ids = [row["page_id"] for row in helpful]
        pages = list(ArticlePage.objects.live().filter(pk__in=ids)) if ids else []
        pages.sort(key=lambda p: ids.index(p.pk))
        if len(pages) < limit:
            pages += list(
                ArticlePage.objects.live()
                .filter(~Q(pk__in=[p.pk for p in pages]))
                .order_by("-last_reviewed", "-first_published_at")[: limit * 2]
            )
        restricted = _restricted_paths()
        docs = [build_document(p, restricted=restricted) for p in pages]
        return [d for d in docs if d is not None][:limit]

    def connect_signals(self) -> None:
        page_published.connect(_page_changed, dispatch_uid="search-kb-published")
        page_unpublished.connect(_page_changed, dispatch_uid="search-kb-unpublished")
        post_page_move.connect(_page_moved, dispatch_uid="search-kb-moved")
        for model in (*PAGE_MODELS, ResourceIndexPage):
            post_save.connect(_page_saved, sender=model, dispatch_uid=f"search-kb-saved-{model}")
        for model in (*PAGE_MODELS, ResourceIndexPage):
            post_delete.connect(
                _page_deleted, sender=model, dispatch_uid=f"search-kb-deleted-{model}"
            )
        post_save.connect(
            _restriction_changed, sender=PageViewRestriction, dispatch_uid="search-kb-vr"
        )
        post_delete.connect(
            _restriction_changed, sender=PageViewRestriction, dispatch_uid="search-kb-vr-del"
        )
        post_save.connect(_area_changed, sender=ProductArea, dispatch_uid="search-kb-area")


def _page_changed(sender, instance, **kwargs):
    schedule_reindex(instance)


def _page_moved(sender, instance, **kwargs):
    schedule_reindex(instance)


# Saves that only touch revision bookkeeping do not change what is live.
BOOKKEEPING_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "draft_title",
    "has_unpublished_changes",
    "locked",
    "locked_at",
    "locked_by",
    "live_revision",
}


def _page_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, (*PAGE_MODELS, ResourceIndexPage)):
        return
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    schedule_reindex(instance)


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, (*PAGE_MODELS, ResourceIndexPage)):
        schedule_reindex(instance)


def _restriction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule_reindex(instance)


def _area_changed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        schedule_reindex(instance)


register(KbProvider())
