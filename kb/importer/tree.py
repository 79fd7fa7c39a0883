"""Walk a docs tree (Docusaurus, MkDocs and similar) into folders and documents."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from kb.importer.site import SiteInfo

if TYPE_CHECKING:
    from kb.importer.report import ImportReport

DOC_SUFFIXES = (".md", ".mdx", ".markdown")
# A folder's own page: the first of these that exists (case-insensitive) supplies its title/intro.
INDEX_STEMS = ("index", "_index", "readme")
CATEGORY_FILES = ("_category_.json", "_category_.yml", "_category_.yaml")
IGNORED_FOLDERS = {"node_modules", "__pycache__", "venv", ".venv"}
_NUMBER_PREFIX = re.compile(r"^(\d+)[-_. ]+(?=\S)")


@dataclass
class DocNode:
    """A folder (becomes a section page) or a document (becomes an article)."""

    rel: str  # POSIX path relative to the tree root; folders end with "/", the root is ""
    path: Path
    is_folder: bool
    parent: DocNode | None = None
    children: list[DocNode] = field(default_factory=list)
    index_path: Path | None = None  # a folder's index.md / _index.md / README.md
    category: dict = field(default_factory=dict)  # Docusaurus _category_.json
    # Filled in by the importer:
    doc: object | None = None  # kb.importer.convert.ConvertedDoc
    skip_reason: str = ""
    page_id: int | None = None
    created: bool = False  # the page was made by this run
    nav_position: float | None = None  # from an MkDocs nav or Docusaurus sidebars
    doc_id: str = ""  # the id the docs site knew it by (Docusaurus doc id)
    url_path: str = ""  # its address on the docs site, below the docs' base
    sidebar_label: str = ""
    # A folder's index document with more than an introduction is also imported as the
    # section's first article ("overview"), so all of it is shown and searchable.
    overview: DocNode | None = None
    is_overview: bool = False

    @property
    def key(self) -> str:
        """What identifies the node across runs: the path without the document suffix, so that
        renaming `apn.md` to `apn.mdx` updates the same page."""
        return doc_key(self.rel)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def bare_name(self) -> str:
        """The file or folder name without a numeric ordering prefix or document suffix."""
        name = self.path.name if self.is_folder else self.path.stem
        return _NUMBER_PREFIX.sub("", name) or name

    @property
    def name_position(self) -> float | None:
        match = _NUMBER_PREFIX.match(self.path.name)
        return float(match.group(1)) if match else None

    @property
    def source_rel(self) -> str:
        """The path reported to people for this node (a folder's index file if it has one)."""
        if self.is_folder and self.index_path is not None:
            return self.index_path.relative_to(self.root_path).as_posix()
        return self.rel

    @property
    def root_path(self) -> Path:
        node = self
        while node.parent is not None:
            node = node.parent
        return node.path

    def walk(self):
        """This node's descendants, parents before children, siblings in order."""
        for child in self.children:
            yield child
            if child.is_folder:
                yield from child.walk()


def doc_key(rel: str) -> str:
    if rel.endswith("/"):
        return rel
    for suffix in DOC_SUFFIXES:
        if rel.lower().endswith(suffix):
            return rel[: -len(suffix)]
    return rel


def within(path: Path, *bases: Path) -> bool:
    """True when `path` (symbolic links resolved) lies inside one of `bases`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(base.resolve()) for base in bases)


def humanize(name: str) -> str:
    """'01-getting_started' -> 'Getting started'."""
    name = _NUMBER_PREFIX.sub("", name) or name
    words = re.sub(r"[-_]+", " ", name).strip()
    return (words[:1].upper() + words[1:]) if words else name


def is_doc_file(path: Path) -> bool:
    return path.suffix.lower() in DOC_SUFFIXES


def walk_tree(root: Path, report: ImportReport, site: SiteInfo | None = None) -> DocNode:
    """Read the folder structure below `root`. Unreadable folders and bad category files are
    reported; hidden entries, `node_modules` and `_partials` are not pages. The site's own
    order (an MkDocs `nav`, Docusaurus sidebars) is applied when there is one."""
    site = site or SiteInfo(docs_root=root)
    root_node = DocNode(rel="", path=root, is_folder=True)
    _fill(root_node, report)
    for problem in site.problems:
        report.warn("", problem)
    identify(root_node, site)
    if site.mkdocs_nav:
        apply_mkdocs_nav(root_node, site.mkdocs_nav, report)
    elif site.sidebars:
        apply_sidebars(root_node, site, report)
    return root_node


def identify(tree: DocNode, site: SiteInfo) -> None:
    """Give every node the id and address the docs site knew it by (links use both).

    Docusaurus: the path without number prefixes, the last part replaced by a front-matter
    `id`; the address follows `slug` (absolute, or relative to the folder), and a folder's
    index document answers at the folder's address. MkDocs: the path without `.md`.
    """
    for node in tree.walk():
        source = node.index_path if node.is_folder else node.path
        data = _front_matter(source) if source is not None else {}
        folder = _strip_numbers(node.rel.rstrip("/")) if node.is_folder else ""
        parent_dir = _strip_numbers(node.parent.rel.rstrip("/")) if node.parent else ""
        if node.is_folder:
            node.url_path = folder
            stem = source.stem if source is not None else ""
            node.doc_id = _join(folder, str(data.get("id") or stem)) if stem else folder
        else:
            last = str(data.get("id") or _NUMBER_PREFIX.sub("", node.path.stem) or node.path.stem)
            node.doc_id = _join(parent_dir, last)
            node.url_path = _join(parent_dir, last)
        slug = data.get("slug")
        if isinstance(slug, str) and slug.strip():
            slug = slug.strip()
            base = folder if node.is_folder else parent_dir
            if node.is_folder:
                base = _strip_numbers(node.parent.rel.rstrip("/")) if node.parent else ""
                base = folder if not slug.startswith("/") else base
            node.url_path = (
                slug.strip("/") if slug.startswith("/") else _join(base, slug.strip("/"))
            )
        label = data.get("sidebar_label")
        if isinstance(label, str) and label.strip():
            node.sidebar_label = label.strip()


def _front_matter(path: Path) -> dict:
    from kb.importer.frontmatter import split_front_matter

    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:20000]
    except OSError:
        return {}
    return split_front_matter(head.replace("\r\n", "\n")).data


def _strip_numbers(rel: str) -> str:
    return "/".join(_NUMBER_PREFIX.sub("", part) or part for part in rel.split("/") if part)


def _join(*parts: str) -> str:
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))


def apply_sidebars(tree: DocNode, site: SiteInfo, report: ImportReport) -> None:
    """Docusaurus sidebars: documents and folders take the position they have there; a
    category's label names the folder holding its documents. Autogenerated parts keep the
    folder order (`sidebar_position`, `_category_`, number prefixes)."""
    placer = _SidebarPlacer(tree)
    for sidebar in site.sidebars.values():
        placer.walk(sidebar)
    missing = placer.missing
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        report.warn(
            site.sidebar_file,
            f"{len(missing)} sidebar item(s) name no document in the tree ({shown}); ignored",
        )
    _position_folders(tree)


class _SidebarPlacer:
    """Numbers the documents and folders in the order the sidebars list them."""

    def __init__(self, tree: DocNode):
        self.tree = tree
        self.by_id: dict[str, DocNode] = {}
        self.by_dir: dict[str, DocNode] = {}
        for node in tree.walk():
            self.by_id.setdefault(node.doc_id, node)
            self.by_id.setdefault(doc_key(node.rel), node)
            if node.is_folder:
                self.by_dir[node.rel.rstrip("/")] = node
                self.by_dir.setdefault(_strip_numbers(node.rel), node)
        self.counter = 0.0
        self.missing: list[str] = []

    def place(self, node: DocNode | None, name: str) -> DocNode | None:
        if node is None:
            self.missing.append(name)
            return None
        if node.nav_position is None:
            self.counter += 1
            node.nav_position = self.counter
        return node

    def walk(self, items, label: str = "") -> list[DocNode]:
        placed: list[DocNode | None] = []
        if isinstance(items, dict):  # shorthand: {"Label": [items], ...}
            for key, value in items.items():
                placed += _label(self.walk(value, str(key)), str(key))
            return placed
        for item in items if isinstance(items, list) else []:
            if isinstance(item, str):
                placed.append(self.place(self.by_id.get(item.strip("/")), item))
            elif isinstance(item, dict):
                placed += self._item(item)
        return [node for node in placed if node is not None]

    def _item(self, item: dict) -> list[DocNode | None]:
        kind = item.get("type")
        if kind in ("doc", "ref") and isinstance(item.get("id"), str):
            return [self.place(self.by_id.get(item["id"]), item["id"])]
        if kind == "autogenerated" and isinstance(item.get("dirName"), str):
            name = item["dirName"].strip("/")
            folder = self.by_dir.get(name) or self.by_dir.get(_strip_numbers(name))
            if name in (".", ""):
                return [self.place(child, child.rel) for child in self.tree.children]
            return [self.place(folder, name)]
        if kind == "category" or "items" in item:
            link = item.get("link")
            inner = []
            if isinstance(link, dict) and isinstance(link.get("id"), str):
                inner.append(self.place(self.by_id.get(link["id"]), link["id"]))
            inner += self.walk(item.get("items"), str(item.get("label") or ""))
            return _label(inner, str(item.get("label") or ""))
        if kind is None:  # shorthand category inside a list
            return self.walk(item)
        return []


def _label(nodes: list[DocNode | None], label: str) -> list[DocNode | None]:
    """A sidebar category groups documents; when they all live in one folder, the category's
    label names that folder's section."""
    docs = [node for node in nodes if node is not None]
    if not label or not docs:
        return nodes
    folders = {node.parent.rel if not node.is_folder else node.rel for node in docs}
    if len(folders) == 1:
        folder = next(node.parent if not node.is_folder else node for node in docs[:1])
        if folder is not None and folder.parent is not None and "label" not in folder.category:
            folder.category = {**folder.category, "label": label}
    return nodes


def _position_folders(tree: DocNode) -> None:
    """A folder the sidebar does not name itself sits where its first document does."""
    for node in tree.children:
        if node.is_folder:
            _position_folders(node)
            if node.nav_position is None:
                found = [c.nav_position for c in node.children if c.nav_position is not None]
                node.nav_position = min(found) if found else None


def apply_mkdocs_nav(tree: DocNode, nav: list, report: ImportReport) -> None:
    """An MkDocs `nav` is the site's structure: each titled group of pages becomes a section
    (a folder of its own here), pages sit in nav order; pages the nav does not list stay in
    their folders, after it."""
    builder = _NavBuilder(tree)
    builder.build(nav, tree, "nav:")
    _prune(tree)
    missing = builder.missing
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        report.warn("mkdocs.yml", f"{len(missing)} nav entries name no document ({shown}); ignored")


class _NavBuilder:
    """Moves the tree's nodes under the sections of an MkDocs nav, numbering them in order."""

    def __init__(self, tree: DocNode):
        self.tree = tree
        self.by_rel: dict[str, DocNode] = {}
        for node in tree.walk():
            self.by_rel[node.rel] = node
            if node.is_folder and node.index_path is not None:
                self.by_rel[node.index_path.relative_to(tree.path).as_posix()] = node
        self.used: set[int] = set()
        self.missing: list[str] = []
        self.counter = 0.0

    def attach(self, node: DocNode, parent: DocNode) -> None:
        if node.parent is not None and node in node.parent.children:
            node.parent.children.remove(node)
        node.parent = parent
        parent.children.append(node)
        self.counter += 1
        node.nav_position = self.counter

    def build(self, items, parent: DocNode, prefix: str) -> None:
        for item in items if isinstance(items, list) else [items]:
            title, value = (None, item)
            if isinstance(item, dict) and len(item) == 1:
                title, value = next(iter(item.items()))
            if isinstance(value, str):
                self._page(value, parent)
            elif isinstance(value, list) and title:
                self._section(str(title), value, parent, prefix)

    def _page(self, value: str, parent: DocNode) -> None:
        if value.startswith(("http://", "https://", "mailto:")) or "://" in value:
            return
        node = self.by_rel.get(value.strip().lstrip("./"))
        if node is None:
            self.missing.append(value)
        elif id(node) not in self.used:
            self.used.add(id(node))
            self.attach(node, parent)

    def _section(self, title: str, value: list, parent: DocNode, prefix: str) -> None:
        folder = _nav_folder(value, self.by_rel, self.used)
        if folder is not None:  # the section is a folder of the tree: keep it
            self.used.add(id(folder))
            if "label" not in folder.category:
                folder.category = {**folder.category, "label": title}
            self.attach(folder, parent)
            self.build(value, folder, prefix)
            return
        name = re.sub(r"[^\w]+", "-", title.lower()).strip("-") or "section"
        rel = f"{prefix}{name}/"
        folder = DocNode(
            rel=rel,
            path=self.tree.path / rel,
            is_folder=True,
            parent=parent,
            category={"label": title},
        )
        folder.url_path = folder.doc_id = rel.rstrip("/")
        self.counter += 1
        folder.nav_position = self.counter
        parent.children.append(folder)
        self.build(value, folder, rel)


def _nav_folder(items, by_rel: dict[str, DocNode], used: set[int]) -> DocNode | None:
    """The tree folder a nav section stands for: the one folder all of its pages live in."""
    names = []
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
        if isinstance(value, str) and "://" not in value:
            names.append(value.strip().lstrip("./"))
    nodes = [by_rel.get(name) for name in names]
    if not nodes or any(node is None for node in nodes):
        return None
    folders = {id(node.parent): node.parent for node in nodes if not node.is_folder}
    if len(folders) != 1 or any(node.is_folder for node in nodes):
        return None
    folder = next(iter(folders.values()))
    if folder.parent is None or id(folder) in used:
        return None
    return folder


def _prune(node: DocNode) -> None:
    """Folders whose documents all moved into nav sections are left without pages."""
    for child in list(node.children):
        if child.is_folder:
            _prune(child)
            if not child.children and child.index_path is None:
                node.children.remove(child)


def _fill(node: DocNode, report: ImportReport) -> None:
    try:
        entries = sorted(node.path.iterdir(), key=lambda p: p.name.lower())
    except OSError as exc:
        report.warn(node.rel or ".", f"folder cannot be read ({exc.strerror or exc}); skipped")
        return
    if node.parent is not None:  # the tree root has no page of its own
        node.index_path = _pick_index(entries)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{node.rel}{name}"
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if entry.is_symlink():
                report.warn(rel + "/", "symbolic link to a folder; not followed")
                continue
            if name in IGNORED_FOLDERS or name.startswith("_"):
                continue
            child = DocNode(rel=rel + "/", path=entry, is_folder=True, parent=node)
            _fill(child, report)
            if child.children or child.index_path is not None:
                node.children.append(child)
        elif name.lower() in CATEGORY_FILES:
            node.category = _read_category(entry, rel, report)
        elif is_doc_file(entry):
            if entry == node.index_path:
                continue
            if name.startswith("_"):  # a partial: only ever inlined by the documents using it
                continue
            node.children.append(DocNode(rel=rel, path=entry, is_folder=False, parent=node))


def _pick_index(entries: list[Path]) -> Path | None:
    docs = {p.stem.lower(): p for p in entries if p.is_file() and is_doc_file(p)}
    for stem in INDEX_STEMS:
        if stem in docs:
            return docs[stem]
    return None


def _read_category(path: Path, rel: str, report: ImportReport) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        report.warn(rel, f"bad category file ({reason}); ignored")
        return {}
    if not isinstance(data, dict):
        report.warn(rel, "category file is not a mapping of keys to values; ignored")
        return {}
    return data


def category_description(category: dict) -> str:
    link = category.get("link")
    if isinstance(link, dict) and isinstance(link.get("description"), str):
        return link["description"]
    description = category.get("description")
    return description if isinstance(description, str) else ""
