"""The fidelity check: import a docs tree into a scratch database and measure what survived.

`make import-check DOCS=PATH` (`manage.py import_docs PATH --check`) runs it. The import goes
into a throwaway SQLite file and media folder (`scratch_site`), never the developer's data; then
every imported page is rendered through the real views and its content inspected:

- images: references found in the sources vs imported into pages;
- internal links: every link in the rendered content requested through the site, redirects
  followed; a link that ends anywhere but 200 is broken. Links the importer could not resolve
  are listed with the reason (they were rendered as plain text or an external link);
- raw-markup leftovers: source syntax that reached a page as text (`<tag`, `{props.`,
  `require(`, `{#id}`, `:::`, `!!!`, `===`), outside code;
- warnings by kind.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings

from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Page

from bs4 import BeautifulSoup
from tqdm import tqdm

from kb.importer.report import ImportReport

# Source syntax that must never reach a reader as text. Tag-like text is a leftover when it
# names an HTML element or a (capitalised) JSX component: `<x>`, `<value>` are placeholders
# authors write on purpose (escaped in the source). Block syntax counts where a block starts.
HTML_ELEMENTS = (
    "a|abbr|audio|b|blockquote|br|button|code|details|div|em|figure|font|h[1-6]|hr|i|iframe|"
    "img|input|kbd|li|ol|p|pre|script|section|small|source|span|strong|style|summary|sup|sub|"
    "table|tbody|td|th|thead|tr|u|ul|video"
)
LEFTOVER_PATTERNS = {
    "<tag": re.compile(rf"</?(?:(?:{HTML_ELEMENTS})\b|[A-Z][\w.]*[\s/>])"),
    "{props.": re.compile(r"\{\s*props\."),
    "require(": re.compile(r"\brequire\(\s*['\"]"),
    "{#id}": re.compile(r"\{#[\w-]+\}"),
    ":::": re.compile(r"^\s*:::"),
    # a whole line MkDocs reads as an admonition (`!!! type [classes] ["title"]`); text such
    # as "!!! Don't flash it while powered !!!" is an author's emphasis, shown as written
    "!!!": re.compile(
        r"^\s*(?:!!!|\?\?\?)\+?\s*[\w-]+(?:\s+[\w-]+)*(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE
    ),
    "===": re.compile(r"^\s*===\+?\s*[\"']"),
    "import": re.compile(r"^\s*import\s+[\w{}, ]+\s+from\s+['\"]"),
}
_BLOCKS = "p, li, td, th, dt, dd, h2, h3, h4, figcaption, blockquote, .callout"
_CONTENT = ".prose"


@dataclass
class FidelityReport:
    """What `run_check` measured; `lines()` is the printed report."""

    pages: int = 0
    import_seconds: float = 0.0
    check_seconds: float = 0.0
    # CPU time too: on a busy machine the wall clock says more about the neighbours
    import_cpu_seconds: float = 0.0
    check_cpu_seconds: float = 0.0
    sections: int = 0
    skipped: int = 0
    image_refs: int = 0
    images_imported: int = 0
    image_problems: list[tuple[str, str]] = field(default_factory=list)
    remote_images: int = 0
    links_checked: int = 0
    links_broken: list[tuple[str, str, str]] = field(default_factory=list)  # page, href, status
    links_unresolved: list[tuple[str, str]] = field(default_factory=list)  # source, message
    leftovers: list[tuple[str, str, str]] = field(default_factory=list)  # page, kind, excerpt
    warning_kinds: Counter = field(default_factory=Counter)
    order_problems: list[str] = field(default_factory=list)

    @property
    def image_ratio(self) -> float:
        return self.images_imported / self.image_refs if self.image_refs else 1.0

    def lines(self, *, details: int = 20) -> list[str]:
        out = [
            f"pages: {self.pages} articles, {self.sections} sections, {self.skipped} skipped",
            f"time: import {self.import_seconds:.0f} s ({self.import_cpu_seconds:.0f} s CPU), "
            f"check of the rendered pages {self.check_seconds:.0f} s "
            f"({self.check_cpu_seconds:.0f} s CPU)",
            f"images: {self.images_imported} of {self.image_refs} references imported "
            f"({self.image_ratio:.1%}); {self.remote_images} remote image(s) on other sites "
            "linked by their alt text (not downloaded)",
            f"internal links: {self.links_checked - len(self.links_broken)} of "
            f"{self.links_checked} resolve (redirects followed), {len(self.links_broken)} broken",
            f"links the importer could not resolve (shown as text or external): "
            f"{len(self.links_unresolved)}",
            f"raw-markup leftovers: {len(self.leftovers)}",
            f"sidebar order problems: {len(self.order_problems)}",
        ]
        sections = [
            ("broken internal links", [f"{p}: {h} -> {s}" for p, h, s in self.links_broken]),
            ("unresolved links", _counted(f"{s}: {m}" for s, m in self.links_unresolved)),
            ("images not imported", [f"{s}: {m}" for s, m in self.image_problems]),
            ("raw-markup leftovers", [f"{p}: {k} in '{e}'" for p, k, e in self.leftovers]),
            ("sidebar order", self.order_problems),
        ]
        for title, items in sections:
            if not items:
                continue
            out.append(f"{title}:")
            out.extend(f"  {item}" for item in items[:details])
            if len(items) > details:
                out.append(f"  ... and {len(items) - details} more")
        if self.warning_kinds:
            out.append("warnings by kind:")
            for kind, count in self.warning_kinds.most_common():
                out.append(f"  {count:5}  {kind}")
        return out


def _counted(items) -> list[str]:
    """Each distinct item once, with how often it occurred (a page links the same missing
    address a dozen times)."""
    counts = Counter(items)
    return [item if n == 1 else f"{item} (x{n})" for item, n in counts.items()]


@contextmanager
def scratch_site() -> Iterator[Path]:
    """A throwaway SQLite database and media folder, migrated, with a home page.

    The default connection is pointed at a file in a temporary folder for the duration (the
    way Django's test runner swaps in its test database), so the developer's own database is
    never opened for writing; the folder is deleted afterwards.
    """
    from resourcecenter.demo import ensure_home_page

    with tempfile.TemporaryDirectory(prefix="import-check-") as tmp:
        folder = Path(tmp)
        scratch = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(folder / "check.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
        saved = connections.settings["default"]
        connections["default"].close()
        connections.settings["default"] = {**saved, **scratch}
        del connections["default"]
        try:
            with override_settings(
                MEDIA_ROOT=str(folder / "media"),
                ALLOWED_HOSTS=["*"],
                CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
                # search indexing is not measured here; queued tasks stay in the scratch file
                TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
            ):
                _migrate(Path(scratch["NAME"]))
                ensure_home_page()
                yield folder
        finally:
            connections["default"].close()
            connections.settings["default"] = saved
            del connections["default"]


def _migrate(database: Path) -> None:
    """Migrate the scratch database, or copy the one a previous check migrated.

    Running every migration takes a minute or more on a busy machine, longer than importing a
    small tree. The migrated, still empty database is kept in `var/cache` under a name made
    from the content of every migration file, so any change to the schema makes a new one.
    """
    cache_dir = getattr(settings, "VAR_DIR", None)
    template = (
        Path(cache_dir) / "cache" / f"import-check-{_schema_key()}.sqlite3" if cache_dir else None
    )
    if template is not None and template.is_file():
        connections["default"].close()
        shutil.copyfile(template, database)
        return
    call_command("migrate", verbosity=0, interactive=False)
    if template is None:
        return
    connections["default"].close()
    template.parent.mkdir(parents=True, exist_ok=True)
    partial = template.with_name(f"{template.name}.{os.getpid()}.part")
    shutil.copyfile(database, partial)
    partial.replace(template)  # atomic: a concurrent check never copies half a file


def _schema_key() -> str:
    """A digest of every migration file the project and its libraries have."""
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha1()  # noqa: S324 - a cache key, not a security measure
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[key].__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def run_check(report: ImportReport, *, progress: bool = False) -> FidelityReport:
    """Measure an import that just ran (in the scratch site) through the rendered pages."""
    check = FidelityReport()
    check.pages = sum(1 for r in report.results if r.page_id and not r.is_section)
    check.sections = sum(1 for r in report.results if r.page_id and r.is_section)
    check.skipped = len(report.skipped)
    check.image_refs = report.image_refs
    check.images_imported = report.image_refs - len(report.image_problems)
    check.image_problems = list(report.image_problems)
    check.remote_images = len(report.remote_images)
    check.links_unresolved = list(report.unresolved_links)
    check.order_problems = _order_problems(report)
    for warning in report.warnings:
        check.warning_kinds[_kind(warning.message)] += 1

    client = Client()
    status_of: dict[str, str] = {}
    rendered: list[tuple[str, str, BeautifulSoup]] = []  # page label, url, content
    page_ids = [r.page_id for r in report.results if r.page_id and r.action != "skipped"]
    with original_images():
        pages = Page.objects.filter(pk__in=page_ids).specific().iterator()
        bar = tqdm(
            pages,
            total=len(page_ids),
            desc="Checking",
            unit="page",
            file=sys.stderr,
            disable=not progress,
            leave=False,
        )
        for page in bar:
            url = page.get_url()
            response = client.get(url, follow=True)
            label = page.source_path or url
            status_of[_path_only(url)] = str(response.status_code)
            if response.status_code != 200:
                check.links_broken.append(
                    (label, url, f"the page itself answers {response.status_code}")
                )
                continue
            rendered.append((label, url, BeautifulSoup(response.content, "html.parser")))
        # every imported page was just requested: a link to one of them needs no second request
        for label, url, soup in rendered:
            for content in soup.select(_CONTENT):
                for link in content.select("a[href]"):
                    href = link["href"]
                    target = _internal_path(href, url)
                    if target is None:
                        continue
                    check.links_checked += 1
                    path = _path_only(target)
                    if path not in status_of:
                        status_of[path] = _status(client, path)
                    if status_of[path] != "200":
                        check.links_broken.append((label, href, status_of[path]))
                for kind, excerpt in _leftovers(content):
                    check.leftovers.append((label, kind, excerpt))
    return check


@contextmanager
def original_images() -> Iterator[None]:
    """Pages render with their images' original files instead of resized renditions.

    Making a rendition decodes, resizes and encodes a picture for every size a template asks
    for; on an image-heavy tree that was most of the check's time, and it measures Wagtail,
    not the import (which images reached which page is counted by the import itself). The
    stand-in is an unsaved rendition of the original file, so templates get the same
    attributes (url, width, height, alt) and the image's address is still a real media file.
    """
    Image = get_image_model()
    Rendition = Image.get_rendition_model()

    def get_rendition(image, filter):  # noqa: A002 - Wagtail's own parameter name
        spec = filter.spec if isinstance(filter, Filter) else str(filter)
        return Rendition(
            image=image,
            filter_spec=spec,
            file=image.file.name,
            width=image.width,
            height=image.height,
        )

    saved = Image.get_rendition
    Image.get_rendition = get_rendition
    try:
        yield
    finally:
        Image.get_rendition = saved


def _order_problems(report: ImportReport) -> list[str]:
    """Sections whose imported pages do not stand in the order the docs site declares
    (MkDocs nav, Docusaurus sidebars, `sidebar_position`, `_category_` positions, number
    prefixes), read back from the page tree."""
    from kb.importer.tree import doc_key

    problems = []
    ids = {r.page_id for r in report.results if r.page_id}
    parents = set(Page.objects.filter(pk__in=ids).values_list("path", flat=True))
    for parent in Page.objects.filter(path__in={p[: -Page.steplen] for p in parents}):
        children = [
            child
            for child in parent.get_children().specific()
            if child.pk in ids and getattr(child, "source_path", "")
        ]
        declared = [report.declared_order.get(doc_key(c.source_path)) for c in children]
        pairs = [(c, d) for c, d in zip(children, declared, strict=True) if d is not None]
        for (before, first), (after, second) in itertools.pairwise(pairs):
            if second < first:
                problems.append(
                    f"'{parent.title}': '{after.title}' comes after '{before.title}' but is "
                    "declared before it"
                )
    return problems


def _path_only(url: str) -> str:
    return urlsplit(url).path or "/"


def _status(client: Client, path: str) -> str:
    if path.startswith(settings.MEDIA_URL):
        file = Path(settings.MEDIA_ROOT) / path[len(settings.MEDIA_URL) :]
        return "200" if file.is_file() else "404 (no such media file)"
    response = client.get(path, follow=True)
    return str(response.status_code)


def _internal_path(href: str, page_url: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel"):
        return None
    if parts.scheme or href.startswith("//"):
        if parts.hostname not in ("testserver", "localhost", "127.0.0.1"):
            return None
        return parts.path or "/"
    if href.startswith("#"):
        return None
    if href.startswith("/"):
        return parts.path
    return page_url.rsplit("/", 1)[0] + "/" + parts.path


def _leftovers(content) -> Iterator[tuple[str, str]]:
    for pre in content.select("pre, code, .code-block"):
        pre.decompose()
    seen = set()
    for block in content.select(_BLOCKS) or [content]:
        text = block.get_text(" ")
        for kind, pattern in LEFTOVER_PATTERNS.items():
            for match in pattern.finditer(text):
                start = max(match.start() - 30, 0)
                excerpt = " ".join(text[start : match.end() + 30].split())
                if (kind, excerpt) not in seen:  # nested blocks repeat their text
                    seen.add((kind, excerpt))
                    yield kind, excerpt


def _kind(message: str) -> str:
    """A warning's kind: its message with the specific names and numbers taken out."""
    kind = re.sub(r"'[^']*'", "'…'", message)
    kind = re.sub(r"\(https?://[^)]*\)", "(…)", kind)
    kind = re.sub(r"<[^>]+>", "<…>", kind)
    kind = re.sub(r"\bline \d+", "line N", kind)
    kind = re.sub(r"\(in [^)]*\)", "", kind)
    kind = re.sub(r"\d+", "N", kind)
    return " ".join(kind.split())[:140]
