"""Create, compare and publish the pages an import manages, without touching anyone else's."""

from __future__ import annotations

import copy

from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from wagtail.log_actions import log
from wagtail.models import Page, Revision
from wagtail.signals import page_published

from kb.importer.tree import doc_key
from kb.models import ArticlePage, CodeSamplePage, ResourceIndexPage, VideoPage

BODY_BLOCK = ArticlePage._meta.get_field("body").stream_block


def imported_pages(parent: Page) -> dict[str, Page]:
    """Pages below `parent` that an import made, by source key. Pages without a `source_path`
    belong to editors and are never returned, so they are never changed."""
    found: dict[str, Page] = {}
    for model in (ResourceIndexPage, ArticlePage, CodeSamplePage, VideoPage):
        pages = (
            model.objects.descendant_of(parent).exclude(source_path="").order_by("depth", "path")
        )
        for page in pages:
            key = doc_key(page.source_path)
            if model is ResourceIndexPage and not key.endswith("/"):
                key += "/"
            found.setdefault(key, page)
    return found


def base_slug(name: str, title: str) -> str:
    """A slug from a file/folder name without its suffix (the title for index/README files)."""
    if name.lower() in ("index", "_index", "readme"):
        name = title
    return slugify(name) or slugify(name, allow_unicode=True) or slugify(title) or "page"


def unique_slug(parent: Page, wanted: str, page: Page | None = None) -> str:
    """`wanted`, or `wanted-2`, `-3` ... when a sibling already has it or when the address
    would be taken by another part of the site (e.g. /community/ under the home page)."""
    wanted = wanted[:240]
    candidate, n = wanted, 1
    while not Page._slug_is_available(candidate, parent, page) or _url_taken(parent, candidate):
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def _url_taken(parent: Page, slug: str) -> bool:
    """True when Django serves something other than Wagtail pages at the page's address."""
    parent_url = parent.get_url()
    if not parent_url or not parent_url.startswith("/"):
        return False
    return site_serves(f"{parent_url}{slug}/")


def site_serves(path: str) -> bool:
    """True when this site answers `path` with a view of its own (the forum, support ...),
    not with the Wagtail page tree."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name != "wagtail_serve"


def create_page(parent: Page, model, *, title: str, slug: str, source_path: str) -> Page:
    """Add an unpublished page that the content pass will fill in and publish."""
    page = model(
        title=title,
        slug=unique_slug(parent, slug),
        source_path=source_path,
        live=False,
        has_unpublished_changes=True,
    )
    parent.add_child(instance=page)
    return page


def stream_value(raw: list[dict]):
    """A fully converted StreamValue, so every block's own preparation (code highlighting)
    runs when it is saved."""
    value = BODY_BLOCK.to_python(copy.deepcopy(raw))
    for _ in value:
        pass
    return value


def canonical_body(value, *, stored: bool = False) -> list:
    """A page body as comparable data: prepared the way it is stored, without block ids.

    A `stored` body (loaded from the database or a revision) is compared as stored: converting
    it back and forth would needlessly re-render every block.
    """
    if isinstance(value, list):
        data = value
    elif stored:
        data = [dict(item) for item in value.raw_data]
    else:
        for _ in value:
            pass
        data = value.get_prep_value()
    return _without_ids(copy.deepcopy(data))


def _without_ids(data):
    if isinstance(data, list):
        return [_without_ids(item) for item in data]
    if isinstance(data, dict):
        return {k: _without_ids(v) for k, v in data.items() if not (k == "id" and "type" in data)}
    return data


def article_state(page: ArticlePage, optional: set[str]) -> dict:
    state = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "search_description": page.search_description,
        "last_reviewed": page.last_reviewed,
        "tags": sorted(tag.name for tag in page.tags.all()),
        "body": canonical_body(page.body, stored=True),
        "source_path": page.source_path,
        "unlisted": page.unlisted,
    }
    for name in optional:
        value = getattr(page, name)
        state[name] = canonical_body(value, stored=True) if name == "chapters" else value
    return state


def index_state(page: ResourceIndexPage) -> dict:
    return {
        "title": page.title,
        "slug": page.slug,
        "intro": page.intro,
        "search_description": page.search_description,
        "source_path": page.source_path,
    }


def apply_state(page: Page, state: dict, body_raw: list[dict] | None) -> None:
    for name, value in state.items():
        if name == "tags":
            page.tags.set(value)
        elif name == "body":
            page.body = stream_value(body_raw or [])
        else:
            setattr(page, name, value)


def publish(page: Page) -> None:
    """Save a new revision and publish it (a log entry records both, as in the admin)."""
    revision = page.save_revision(log_action=True)
    revision.publish(log_action=True)


def publish_new(page: Page) -> None:
    """The first publication of a page the import just created.

    It does what `save_revision().publish()` does for a brand-new page (a revision that is both
    latest and live, the published dates, the publish log entry, the `page_published` signal
    that indexes it) with one page save and one revision row: the general path saves the page
    three times and rebuilds it from the revision, most of an import's time.
    """
    now = timezone.now()
    page.live = True
    page.has_unpublished_changes = False
    page.first_published_at = page.first_published_at or now
    page.last_published_at = now
    page.draft_title = page.title
    page.save()  # validates the page as the general path does
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page)[:255],
        created_at=now,
    )
    Page.objects.filter(pk=page.pk).update(
        latest_revision=revision, live_revision=revision, latest_revision_created_at=now
    )
    page.latest_revision = page.live_revision = revision
    page.latest_revision_created_at = now
    log(instance=page, action="wagtail.publish", revision=revision, content_changed=True)
    page_published.send(sender=page.specific_class, instance=page, revision=revision)


def reorder(parent_id: int, wanted: list[int], apply: bool) -> bool:
    """Put the imported children of a page in `wanted` order (editors' pages stay first).
    Returns True when the order was (or, if not `apply`, would be) changed."""
    parent = Page.objects.get(pk=parent_id)
    current = [pk for pk in parent.get_children().values_list("pk", flat=True) if pk in wanted]
    if current == [pk for pk in wanted if pk in current]:
        return False
    if apply:
        for pk in wanted:
            if pk in current:  # a page an editor moved elsewhere stays where they put it
                Page.objects.get(pk=pk).move(Page.objects.get(pk=parent_id), pos="last-child")
    return True
