"""The page imported docs go under: found by slug or path, or created as a new section."""

from __future__ import annotations

from wagtail.models import Page, Site

from kb.importer import pages as page_ops
from kb.importer.tree import humanize
from kb.models import ResourceIndexPage


class ImportDocsError(Exception):
    """The import cannot start at all (no such folder, unusable parent page)."""


def default_parent() -> Page:
    """The default site's root page (the HomePage)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise ImportDocsError("There is no default site; create the home page first (load_demo).")
    return site.root_page.specific


def find_parent(slug_or_path: str) -> Page:
    """A page by slug ("guides") or by URL path ("/guides/apn/"); it must be unambiguous."""
    value = slug_or_path.strip()
    if "/" in value.strip("/"):
        pages = Page.objects.filter(url_path__endswith="/" + value.strip("/") + "/")
    else:
        pages = Page.objects.filter(slug=value.strip("/"))
    pages = list(pages.specific()[:5])
    if not pages:
        raise ImportDocsError(f"No page with the slug or path '{value}'.")
    if len(pages) > 1:
        paths = ", ".join(p.url_path for p in pages)
        raise ImportDocsError(
            f"'{value}' matches several pages ({paths}); give its path instead, e.g. "
            f"--under {pages[0].url_path.split('/', 2)[-1]}"
        )
    return pages[0]


def ensure_section(slug_or_path: str, title: str | None = None) -> Page:
    """The page named by `slug_or_path` (see `find_parent`); when there is none, a new,
    published section with that slug is created under the home page (or, for a path such as
    `guides/sims`, under the page its first part names), titled `title` or after the slug."""
    try:
        return find_parent(slug_or_path)
    except ImportDocsError as exc:
        if "No page" not in str(exc):
            raise
    parts = [part for part in slug_or_path.strip().strip("/").split("/") if part]
    if not parts:
        raise ImportDocsError("--under needs a slug, e.g. --under docs")
    parent = find_parent("/".join(parts[:-1])) if len(parts) > 1 else default_parent()
    check_parent(parent)
    slug = page_ops.base_slug(parts[-1], title or parts[-1])
    section = ResourceIndexPage(
        title=(title or humanize(parts[-1]))[:255], slug=page_ops.unique_slug(parent, slug)
    )
    parent.add_child(instance=section)
    page_ops.publish(section)
    return section


def check_parent(parent: Page) -> None:
    if type(parent) not in ResourceIndexPage.allowed_parent_page_models():
        raise ImportDocsError(
            f"'{parent.title}' is a {parent.specific_class._meta.verbose_name}; docs can only be "
            "imported under the home page or a Resource Center section."
        )
