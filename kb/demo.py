"""Demo content for the Resource Center: sections, articles, code samples and training videos.

Called by `manage.py load_demo` (inside a transaction, after `resourcecenter.demo`). The content
is a Markdown/MDX docs tree, `kb/demo_docs/`, imported with `import_docs` - the importer users
bring their own docs with, so every developer runs it daily. One folder per section (its
`index.md` gives the title and introduction), one file per page; the front matter says the page
type (`kind: tutorial | guide | api_key_guide | support_topic | code_sample | video`), the product
area, tags and when it was last reviewed (`21 days ago`, so the demo never looks stale).

Idempotent by design: the import runs with `keep_existing`, so a page that already exists (by
its source file, or by its address for databases loaded before the tree existed) is left exactly
as it is - an editor may have changed it since - and running the loader twice creates nothing
and publishes no new revisions.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from wagtail.models import Page, Revision

from kb.importer import ImportReport, import_docs
from kb.models import ProductArea
from resourcecenter.demo import ensure_home_page

DEMO_DOCS = Path(__file__).resolve().parent / "demo_docs"

PRODUCT_AREAS = [
    # slug, name, description
    ("sims", "SIMs & activation", "Ordering SIMs, activating them and managing their lifecycle."),
    ("connectivity", "Connectivity & APN", "APN settings, network registration, LTE-M and NB-IoT."),
    ("data-sms", "Data & SMS", "Packet data sessions, data usage and SMS to and from devices."),
    (
        "troubleshooting",
        "Troubleshooting",
        "Finding out why a device is not connecting or costs too much.",
    ),
    ("portal", "Customer portal", "Alerts, usage reports and automation rules in the portal."),
    ("api", "API & webhooks", "API keys, REST endpoints, rate limits and event webhooks."),
    ("support", "Support plans", "Community and Infinity support, severity levels and tickets."),
]

# Demo pages look as if they were first published two months before their last review and
# last published on the day of that review (search ranks fresher pages a little higher).
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
    ensure_product_areas()
    report = import_docs(DEMO_DOCS, home, keep_existing=True)
    backdate_new_pages(report)
    results = [r for r in report.results if r.page_id]
    return LoadResult(
        sections=sum(1 for r in results if r.is_section),
        pages=sum(1 for r in results if not r.is_section),
        created=len(report.created),
        unchanged=len(report.unchanged),
        warnings=[str(warning) for warning in report.warnings],
    )


def ensure_product_areas() -> dict[str, ProductArea]:
    """The product areas the demo pages refer to, keyed by slug (existing rows are kept)."""
    areas = {}
    for slug, name, description in PRODUCT_AREAS:
        areas[slug], _ = ProductArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    return areas


def backdate_new_pages(report: ImportReport) -> None:
    """Date each page created just now by its last review (see PUBLISHED_AT_TIME)."""
    ids = [r.page_id for r in report.created if r.page_id and not r.is_section]
    for page in Page.objects.filter(pk__in=ids).specific():
        if page.last_reviewed is None:
            continue
        published_at = _published_at(page.last_reviewed)
        Page.objects.filter(pk=page.pk).update(
            first_published_at=published_at - FIRST_PUBLISHED_BEFORE_REVIEW,
            last_published_at=published_at,
            latest_revision_created_at=published_at,
        )
        Revision.objects.filter(pk=page.live_revision_id).update(created_at=published_at)


def _published_at(reviewed: datetime.date) -> datetime.datetime:
    when = timezone.make_aware(datetime.datetime.combine(reviewed, PUBLISHED_AT_TIME))
    return min(when, timezone.now())
