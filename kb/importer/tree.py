"""Walk a docs tree (Docusaurus, MkDocs and similar) into folders and documents."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

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
    nav_position: float | None = None  # from an MkDocs nav

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


def walk_tree(root: Path, report: ImportReport) -> DocNode:
    """Read the folder structure below `root`. Unreadable folders and bad category files are
    reported; hidden entries, `node_modules` and `_partials` are not pages."""
    root_node = DocNode(rel="", path=root, is_folder=True)
    _fill(root_node, report)
    positions = mkdocs_nav_positions(root, report)
    if positions:
        for node in root_node.walk():
            node.nav_position = _nav_position(node, positions)
    return root_node


class _MkDocsLoader(yaml.SafeLoader):
    """mkdocs.yml often holds `!!python/name:...` and `!ENV` tags; they do not matter here."""


_MkDocsLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def mkdocs_nav_positions(root: Path, report: ImportReport) -> dict[str, float]:
    """The order of documents in an MkDocs `nav` (mkdocs.yml in the docs folder or beside it):
    document path (relative to the docs folder) -> position."""
    for config in (root.parent / "mkdocs.yml", root / "mkdocs.yml"):
        if not config.is_file():
            continue
        try:
            data = yaml.load(config.read_text(encoding="utf-8"), Loader=_MkDocsLoader)  # noqa: S506
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            report.warn(config.name, f"mkdocs.yml cannot be read ({reason}); its nav is ignored")
            return {}
        if not isinstance(data, dict):
            return {}
        prefix = ""
        if config.parent == root:  # PATH is the MkDocs project; the docs are in its docs_dir
            docs_dir = str(data.get("docs_dir") or "docs").strip("/")
            if (root / docs_dir).is_dir():
                prefix = docs_dir + "/"
        paths: list[str] = []
        _flatten_nav(data.get("nav"), paths)
        return {prefix + path: float(index) for index, path in enumerate(paths, start=1)}
    return {}


def _flatten_nav(item, paths: list[str]) -> None:
    if isinstance(item, str):
        if not item.startswith(("http://", "https://")):
            paths.append(item.strip().lstrip("./"))
    elif isinstance(item, list):
        for child in item:
            _flatten_nav(child, paths)
    elif isinstance(item, dict):
        for child in item.values():
            _flatten_nav(child, paths)


def _nav_position(node: DocNode, positions: dict[str, float]) -> float | None:
    if not node.is_folder:
        return positions.get(node.rel)
    found = [pos for path, pos in positions.items() if path.startswith(node.rel)]
    return min(found) if found else None


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
