"""The docs import use case: a folder of Markdown/MDX files -> sections and articles."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from wagtail.models import Page

from tqdm import tqdm

from kb.importer import pages as page_ops
from kb.importer.convert import ConvertedDoc, DocConverter, read_text
from kb.importer.links import LinkResolver
from kb.importer.media import MediaLibrary
from kb.importer.page_state import PageStateMixin
from kb.importer.pagetypes import content_model
from kb.importer.parents import ImportDocsError, check_parent, default_parent
from kb.importer.report import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportReport, PageResult
from kb.importer.site import SiteInfo, read_site
from kb.importer.tree import DocNode, humanize, walk_tree
from kb.models import ProductArea, ResourceIndexPage


class _Rollback(Exception):
    """Raised inside the dry run's transaction to undo everything it did."""


def import_docs(
    path: str | Path,
    parent: Page | None = None,
    *,
    dry_run: bool = False,
    progress: bool = False,
    static: str | Path | None = None,
    keep_existing: bool = False,
) -> ImportReport:
    """Import the Markdown/MDX tree at `path` below `parent` (default: the home page).

    Folders become sections (`ResourceIndexPage`), documents become `ArticlePage`s, matched to
    earlier imports by their path in the tree, so running it again updates pages in place: a
    page gets a new, published revision only when its content changed. Pages without a
    `source_path` (editors' own) are never changed, moved or deleted. Every problem with a file
    is reported in the returned report and the import carries on with the rest. With
    `dry_run`, everything runs inside a transaction that is rolled back and no file is stored:
    the report says what would happen. `path` may be the docs folder or the site folder around
    it (Docusaurus, MkDocs); `static` adds a folder that site-absolute images (`/img/x.png`)
    are read from (a Docusaurus site's `static/` is found by itself). With `keep_existing`
    (the demo loader), pages that exist already - matched by source or, failing that, by
    address - are left exactly as they are and only missing pages are created.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise ImportDocsError(f"'{path}' does not exist.")
    if not root.is_dir():
        raise ImportDocsError(f"'{path}' is not a folder; give the folder holding the docs.")
    if static is not None and not Path(static).is_dir():
        raise ImportDocsError(f"--static '{static}' is not a folder.")
    site = read_site(root.resolve(), Path(static).resolve() if static else None)
    root = site.docs_root.resolve()
    if not root.is_dir():
        raise ImportDocsError(f"the site's docs folder '{site.docs_root}' does not exist.")
    parent = (parent or default_parent()).specific
    check_parent(parent)
    report = ImportReport(root=str(path), parent_title=parent.title, dry_run=dry_run)
    try:
        with transaction.atomic():
            _ImportRun(
                root,
                parent,
                report,
                site,
                dry_run=dry_run,
                progress=progress,
                keep_existing=keep_existing,
            ).run()
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


class _ImportRun(PageStateMixin):
    def __init__(
        self,
        root: Path,
        parent: Page,
        report: ImportReport,
        site: SiteInfo,
        *,
        dry_run,
        progress,
        keep_existing=False,
    ):
        self.root = root
        self.site = site
        self.parent = parent
        self.report = report
        self.dry_run = dry_run
        self.progress = progress
        self.media = MediaLibrary(report, dry_run)
        self.keep_existing = keep_existing
        self._urls: dict[int, str] = {}
        self._areas: dict[str, ProductArea | None] = {}

    def run(self) -> None:
        tree = walk_tree(self.root, self.report, self.site)
        nodes = list(tree.walk())
        converter = DocConverter(
            self.root, LinkResolver(self.root, tree, self.site), self.media, self.site
        )
        for node in self._bar(nodes, "Reading"):
            self.read(node, converter)
        for node in nodes:
            if node.is_folder and node.doc is not None and needs_overview(node.doc):
                add_overview(node, self.root)
        sort_children(tree)
        nodes = list(tree.walk())
        existing = page_ops.imported_pages(self.parent)
        for node in nodes:
            self.ensure_page(node, existing)
        for node in self._bar(nodes, "Importing"):
            self.update_page(node, existing)
        self.reorder(tree)
        for node in nodes:  # for the fidelity check: the order each page was declared in
            self.report.declared_order[node.key] = position_key(node)[:-1]
        keys = {node.key for node in nodes}
        for key, page in existing.items():
            if key not in keys:
                self.report.stale.append(page.source_path)
                self.report.warn(
                    page.source_path,
                    f"no longer in the docs tree; page '{page.title}' was left as it is "
                    "(unpublish or delete it in the admin if it is obsolete)",
                )

    def _bar(self, items, label):
        return tqdm(
            items,
            desc=label,
            unit="page",
            file=sys.stderr,
            disable=not self.progress,
            leave=False,
        )

    def warn(self, node: DocNode):
        return lambda message: self.report.warn(node.source_rel, message)

    # pass 1: read and convert every document

    def read(self, node: DocNode, converter: DocConverter) -> None:
        warn = self.warn(node)
        source = node.index_path if node.is_folder else node.path
        if source is None:  # a folder without an index file
            return
        text, problem = read_text(source)
        if text is None:
            if node.is_folder:
                warn(problem.replace("skipped", "the section gets a title from the folder name"))
            else:
                node.skip_reason = problem
            return
        if not text.strip():
            if node.is_folder:
                warn("empty index file; the section gets a title from the folder name")
            else:
                node.skip_reason = "empty file; skipped"
            return
        fallback = self._folder_title(node) if node.is_folder else humanize(node.bare_name)
        fallback = node.sidebar_label or fallback  # no title and no H1: the sidebar's name
        converter.current_node = node
        try:
            doc = converter.convert(text, source, warn, fallback)
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the import
            problem = f"could not be converted ({type(exc).__name__}: {exc})"
            if node.is_folder:
                warn(f"{problem}; the section gets a title from the folder name")
            else:
                node.skip_reason = f"{problem}; skipped"
            return
        if doc.meta.draft:
            if node.is_folder:
                warn("'draft: true' is ignored on a folder's index page; the section is imported")
            else:
                node.skip_reason = "marked 'draft: true' in its front matter; skipped"
                return
        if not node.is_folder:
            content_model(doc.meta, warn)  # says why a video page became an article
        if doc.meta.unlisted and node.is_folder:
            warn("'unlisted: true' is ignored on a folder's index page; the section is listed")
        if not doc.blocks and not doc.meta.description and not node.is_folder:
            warn("the document has no content")
        node.doc = doc

    def _folder_title(self, node: DocNode) -> str:
        label = node.category.get("label")
        return label.strip() if isinstance(label, str) and label.strip() else humanize(node.name)

    # pass 2: make sure every page exists (so links can point at it)

    def ensure_page(self, node: DocNode, existing: dict[str, Page]) -> None:
        page = existing.get(node.key)
        if page is None and self.keep_existing and not node.skip_reason:
            page = self._same_address(node)
        if page is not None:
            node.page_id = page.pk
        if node.skip_reason:
            self.report.add(
                PageResult(
                    node.source_rel,
                    SKIPPED,
                    title=page.title if page else "",
                    page_id=page.pk if page else None,
                    reason=node.skip_reason,
                    is_section=node.is_folder,
                )
            )
            self.report.warn(node.source_rel, node.skip_reason)
            return
        if page is not None:
            return
        parent_id = self._parent_id(node)
        if parent_id is None:
            node.skip_reason = "its folder's section could not be created; skipped"
            self.report.add(PageResult(node.source_rel, SKIPPED, reason=node.skip_reason))
            self.report.warn(node.source_rel, node.skip_reason)
            return
        model = ResourceIndexPage if node.is_folder else content_model(node.doc.meta)
        title = self._title(node)
        try:
            with transaction.atomic():
                page = page_ops.create_page(
                    Page.objects.get(pk=parent_id),
                    model,
                    title=title,
                    slug=self._slug(node, title),
                    source_path=node.rel,
                )
        except Exception as exc:  # noqa: BLE001 - report it, carry on with the other pages
            node.skip_reason = f"page could not be created ({_error_text(exc)}); skipped"
            self.report.add(PageResult(node.source_rel, SKIPPED, reason=node.skip_reason))
            self.report.warn(node.source_rel, node.skip_reason)
            return
        node.page_id = page.pk
        node.created = True

    def _same_address(self, node: DocNode) -> Page | None:
        """With `keep_existing`: the page already at the document's address (made by hand or
        by an older loader), which is then left as it is."""
        parent_id = self._parent_id(node)
        if parent_id is None:
            return None
        slug = self._slug(node, self._title(node))
        return Page.objects.get(pk=parent_id).get_children().filter(slug=slug).first()

    def _parent_id(self, node: DocNode) -> int | None:
        if node.parent is None or node.parent.parent is None:
            return self.parent.pk
        return node.parent.page_id

    def _title(self, node: DocNode) -> str:
        label = node.category.get("label") if node.is_folder else None
        if isinstance(label, str) and label.strip():  # the sidebar's name for the section
            return label.strip()[:255]
        if node.doc is not None:
            return node.doc.title
        title = self._folder_title(node) if node.is_folder else humanize(node.bare_name)
        return title[:255]

    def _slug(self, node: DocNode, title: str) -> str:
        if node.is_overview:
            return "overview"
        if node.doc is not None and node.doc.meta.slug:
            return page_ops.base_slug(node.doc.meta.slug, title)
        return page_ops.base_slug(node.bare_name, title)

    # pass 3: fill in content, publish what changed

    def update_page(self, node: DocNode, existing: dict[str, Page]) -> None:
        if node.skip_reason or node.page_id is None:
            return
        created = node.created
        warn = self.warn(node)
        page = Page.objects.get(pk=node.page_id).specific
        if self.keep_existing and not created:
            self.report.add(
                PageResult(
                    node.source_rel,
                    UNCHANGED,
                    title=page.title,
                    page_id=page.pk,
                    url=self._url(page.pk),
                    is_section=node.is_folder,
                )
            )
            return
        try:
            with transaction.atomic():
                latest = page.get_latest_revision_as_object() if page.latest_revision_id else page
                state, body_raw = self._desired_state(node, page, warn)
                current = (
                    page_ops.index_state(latest)
                    if node.is_folder
                    else page_ops.article_state(latest, set(state) - _ARTICLE_FIELDS)
                )
                if not created and current == state and page.live:
                    action = UNCHANGED
                elif not created and current == state and not page.has_unpublished_changes:
                    action = UNCHANGED  # unpublished by an editor; the content is current
                else:
                    action = CREATED if created else UPDATED
                    if not self.dry_run:
                        page_ops.apply_state(latest, state, body_raw)
                        if created:
                            page_ops.publish_new(latest)
                        else:
                            page_ops.publish(latest)
        except Exception as exc:  # noqa: BLE001 - report it, carry on with the other pages
            reason = f"page could not be saved ({_error_text(exc)}); skipped"
            if created:  # the new page stays an unpublished draft; the next run tries again
                reason += "; the new page was left unpublished"
            self.report.add(
                PageResult(
                    node.source_rel, SKIPPED, title=page.title, page_id=page.pk, reason=reason
                )
            )
            self.report.warn(node.source_rel, reason)
            return
        self.report.add(
            PageResult(
                node.source_rel,
                action,
                title=state["title"],
                page_id=page.pk,
                url=self._url(page.pk),
                is_section=node.is_folder,
            )
        )

    # pass 4: sibling order

    def reorder(self, tree: DocNode) -> None:
        folders = [(self.parent.pk, tree)] + [
            (node.page_id, node) for node in tree.walk() if node.is_folder and node.page_id
        ]
        for parent_id, folder in folders:
            if self.keep_existing and not any(child.created for child in folder.children):
                continue  # pages that were there already stay where they are
            wanted = [child.page_id for child in folder.children if child.page_id]
            if len(wanted) > 1 and page_ops.reorder(parent_id, wanted, apply=not self.dry_run):
                self.report.reordered += 1


_ARTICLE_FIELDS = {
    "unlisted",
    "source_path",
    "title",
    "slug",
    "summary",
    "search_description",
    "last_reviewed",
    "tags",
    "body",
}


def needs_overview(doc: ConvertedDoc) -> bool:
    """More than one paragraph (tables, code, callouts, several parts) does not fit a
    section's introduction."""
    return len(doc.blocks) > 1 or any(block.type != "paragraph" for block in doc.blocks)


def add_overview(folder: DocNode, root: Path) -> None:
    """The folder's index document, imported a second time as the section's first article."""
    rel = folder.index_path.relative_to(root).as_posix()
    overview = DocNode(
        rel=rel, path=folder.index_path, is_folder=False, parent=folder, is_overview=True
    )
    overview.doc = folder.doc
    folder.overview = overview
    folder.children.insert(0, overview)


def position_key(child: DocNode) -> tuple:
    """Where a document or folder belongs among its siblings, as the docs site declares it:
    the site's own navigation (MkDocs nav, Docusaurus sidebars) first; then `sidebar_position`
    (else a category's `position` or a numeric name prefix); then the rest by name."""
    value = None
    if child.doc is not None:
        value = child.doc.meta.position
    if value is None and child.is_folder:
        category_position = child.category.get("position")
        if isinstance(category_position, int | float) and not isinstance(category_position, bool):
            value = float(category_position)
    if value is None:
        value = child.name_position
    nav = child.nav_position
    return (
        not child.is_overview,
        nav is None,
        nav or 0,
        value is None,
        value or 0,
        child.bare_name.casefold(),
    )


def sort_children(node: DocNode) -> None:
    """Put every folder's children in sidebar order (see `position_key`)."""
    node.children.sort(key=position_key)
    for child in node.children:
        if child.is_folder:
            sort_children(child)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return str(exc)
