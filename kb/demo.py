"""Demo content for the Resource Center: sections, articles, code samples and training videos.

Called by `manage.py load_demo` (inside a transaction, after `resourcecenter.demo`). The content
itself lives as plain Python data in `kb.demo_content`, one module per section.

Idempotent by design: every page is keyed by its slug under its parent. A page that already
exists is left exactly as it is (an editor may have changed it since), so running the loader
twice creates nothing and publishes no new revisions.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Page, Revision
from wagtail.signals import page_published

from kb.demo_content import PRODUCT_AREAS, SECTIONS
from kb.demo_content.diagrams import DIAGRAMS
from kb.models import ArticlePage, CodeSamplePage, ProductArea, ResourceIndexPage, VideoPage
from resourcecenter.demo import ensure_home_page
from resourcecenter.text import html_to_text

PAGE_TYPES = {"article": ArticlePage, "code_sample": CodeSamplePage, "video": VideoPage}

# Demo pages look as if they were first published two months before their last review and
# last published on the day of that review.
PUBLISHED_AT_TIME = datetime.time(9, 30)
FIRST_PUBLISHED_BEFORE_REVIEW = datetime.timedelta(days=60)


@dataclass
class LoadResult:
    sections: int = 0
    pages: int = 0
    created: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def load(stdout, style) -> None:
    """Create the demo Resource Center under the home page and print a one-line summary."""
    result = load_content()
    for warning in result.warnings:
        stdout.write(style.WARNING(warning))
    stdout.write(
        style.SUCCESS(
            f"Resource Center: {result.sections} sections and {result.pages} pages "
            f"({result.created} created, {result.unchanged} unchanged)"
        )
    )


@transaction.atomic
def load_content() -> LoadResult:
    """Create whatever demo sections and pages are missing, leaving existing ones alone."""
    home = ensure_home_page()
    areas = ensure_product_areas()
    images = ensure_demo_images()
    today = timezone.localdate()
    result = LoadResult()
    for section in SECTIONS:
        index = _child(home, section["slug"])
        if index is None:
            index = _publish_new(
                home,
                ResourceIndexPage(
                    title=section["title"],
                    slug=section["slug"],
                    intro=section["intro"],
                    search_description=html_to_text(section["intro"]),
                ),
            )
            result.created += 1
        elif not isinstance(index, ResourceIndexPage):
            result.warnings.append(
                f"Skipped the demo section {section['slug']!r}: a {index.specific_class.__name__} "
                "already uses that slug under the home page."
            )
            continue
        else:
            result.unchanged += 1
        result.sections += 1
        for data in section["pages"]:
            result.pages += 1
            if _child(index, data["slug"]) is not None:
                result.unchanged += 1
                continue
            page = build_page(data, areas, today, images)
            published_at = _published_at(page.last_reviewed)
            page.first_published_at = published_at - FIRST_PUBLISHED_BEFORE_REVIEW
            _publish_new(index, page, tags=data["tags"], published_at=published_at)
            result.created += 1
    return result


def ensure_product_areas() -> dict[str, ProductArea]:
    """The product areas the demo pages refer to, keyed by slug (existing rows are kept)."""
    areas = {}
    for slug, name, description in PRODUCT_AREAS:
        areas[slug], _ = ProductArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    return areas


def ensure_demo_images() -> dict:
    """The generated diagrams in the image library, keyed like `kb.demo_content.diagrams`.

    An image is found again by its title; its file gets a fixed name, so reloading the demo
    into a fresh database reuses the file rather than piling up copies in the media folder.
    """
    image_model = get_image_model()
    images = {}
    for key, (title, draw) in DIAGRAMS.items():
        existing = image_model.objects.filter(title=title).first()
        if existing is not None:
            images[key] = existing
            continue
        png, width, height = draw()
        path = f"original_images/demo-{key}.png"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(png))
        images[key] = image_model.objects.create(
            title=title,
            file=path,
            width=width,
            height=height,
            file_size=len(png),
            file_hash=hashlib.sha1(png, usedforsecurity=False).hexdigest(),
        )
    return images


def build_page(
    data: dict, areas: dict[str, ProductArea], today: datetime.date, images: dict
) -> Page:
    """An unsaved page of the right type from one entry of `kb.demo_content`."""
    model = PAGE_TYPES[data["type"]]
    fields = {
        "title": data["title"],
        "slug": data["slug"],
        "summary": data["summary"],
        "search_description": data["summary"],
        "product_area": areas[data["area"]],
        "last_reviewed": today - datetime.timedelta(days=data["reviewed_days_ago"]),
        "body": [_resolve_images(block, images) for block in data["body"]],
    }
    if model is ArticlePage:
        fields["kind"] = data["kind"]
        fields["difficulty"] = data["difficulty"]
    elif model is CodeSamplePage:
        fields["task"] = data["task"]
    elif model is VideoPage:
        hours, minutes, seconds = (int(part) for part in data["duration"].split(":"))
        fields["video_url"] = data["video_url"]
        fields["duration"] = datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)
        fields["chapters"] = [
            {"type": "chapter", "value": {"start": start, "title": title}}
            for start, title in data["chapters"]
        ]
        fields["transcript"] = data["transcript"].strip()
    page = model(**fields)
    # Turn the raw blocks into block values now, so that saving goes through each block's
    # get_prep_value: code is highlighted at save time and every block gets its id.
    list(page.body)
    if model is VideoPage:
        list(page.chapters)
    return page


def _resolve_images(block: dict, images: dict) -> dict:
    """Fill in the image id of an image block made with `builders.image` (other blocks as-is)."""
    if "demo_image" not in block:
        return block
    value = {**block["value"], "image": images[block["demo_image"]].pk}
    return {"type": block["type"], "value": value}


def _child(parent: Page, slug: str) -> Page | None:
    existing = parent.get_children().filter(slug=slug).first()
    return existing.specific if existing is not None else None


def _publish_new(parent: Page, page: Page, tags=(), published_at=None) -> Page:
    """Add `page` under `parent`, live, with one revision that is both latest and live.

    This does what `save_revision().publish()` does for a brand-new page (the revision, the
    first/last published dates, the create and publish log entries and the `page_published`
    signal) with one page save instead of three, which keeps loading the whole demo fast.
    """
    published_at = published_at or timezone.now()
    if tags:
        page.tags.add(*tags)
    page.live = True
    page.has_unpublished_changes = False
    page.last_published_at = published_at
    page.first_published_at = page.first_published_at or published_at
    page.draft_title = page.title
    parent.add_child(instance=page)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
        created_at=published_at,
    )
    Page.objects.filter(pk=page.pk).update(
        latest_revision=revision,
        live_revision=revision,
        latest_revision_created_at=revision.created_at,
    )
    page.latest_revision = page.live_revision = revision
    page.latest_revision_created_at = revision.created_at
    log(instance=page, action="wagtail.create", content_changed=True)
    log(instance=page, action="wagtail.publish", revision=revision, content_changed=True)
    page_published.send(sender=page.specific_class, instance=page, revision=revision)
    return page


def _published_at(reviewed: datetime.date) -> datetime.datetime:
    when = timezone.make_aware(datetime.datetime.combine(reviewed, PUBLISHED_AT_TIME))
    return min(when, timezone.now())
