"""Relative links between documents: find what they point at, then turn them into page links.

Links are resolved in two steps. While documents are converted, each relative link becomes a
numbered placeholder (`<a data-import-link="N">`) that remembers its target node and anchor.
Once every page exists, `render_links` swaps the placeholders for Wagtail's own link markup:
`<a linktype="page" id="...">` (so the link follows the page if editors move or rename it), with
an `anchor="..."` attribute when the link points at a heading (see `kb.richtext`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kb.importer.site import SiteInfo
from kb.importer.tree import DOC_SUFFIXES, DocNode, doc_key, is_doc_file, within
from kb.richtext import clean_anchor

PLACEHOLDER = re.compile(r'<a data-import-link="(\d+)">(.*?)</a>', re.DOTALL)
_NUMBER_PREFIX = re.compile(r"(^|/)\d+[-_. ]+(?=\S)")


@dataclass
class LinkRef:
    """One link found in a document, waiting for its target page to exist."""

    kind: str  # "doc" | "anchor" | "parent" | "document"
    href: str  # as the author wrote it, for messages
    node: DocNode | None = None
    anchor: str = ""
    document_id: int | None = None


class LinkResolver:
    """Knows every document and folder of the tree by the paths authors use to link to them:
    file paths (with or without suffix and number prefixes), doc ids and site addresses."""

    def __init__(self, root: Path, tree: DocNode, site: SiteInfo | None = None):
        self.root = root
        self.site = site or SiteInfo(docs_root=root)
        self._by_path: dict[str, DocNode] = {}
        self._by_url: dict[str, DocNode] = {}
        nodes = list(tree.walk())
        for node in nodes:
            for alias in self._aliases(node):
                self._by_path.setdefault(alias, node)
        for node in nodes:  # addresses: a folder's index answers at the folder's address
            for name in (node.url_path, node.doc_id):
                if name:
                    self._by_url.setdefault(name.strip("/").lower(), node)
        self._urls = {id(node): node.url_path for node in nodes}

    def _aliases(self, node: DocNode) -> list[str]:
        if node.is_folder:
            rel = node.rel.rstrip("/")
            names = [rel]
            if node.index_path is not None:
                index_rel = node.index_path.relative_to(self.root).as_posix()
                names += [index_rel, doc_key(index_rel)]
        else:
            names = [node.rel, doc_key(node.rel)]
        return names + [_NUMBER_PREFIX.sub(r"\1", name) for name in names]

    def locate(self, source: Path, href_path: str, source_node: DocNode | None = None):
        """What a link path points at: a file path relative to the document, a path from the
        docs root, a doc id or an address on the docs site (absolute or relative to the
        document's own address).

        Returns ("doc", node), ("parent", None) for the tree root, ("file", path) for another
        file in the tree, ("site", url) for a page of the old site that is not in the tree,
        or ("broken", reason).
        """
        path = unquote(href_path.split("?", 1)[0])
        base = self.root if path.startswith("/") else source.parent
        candidate = Path(os.path.normpath(base / path.lstrip("/")))
        rel = candidate.relative_to(self.root).as_posix() if within(candidate, self.root) else None
        if rel in ("", "."):
            return "parent", None
        if rel is not None:
            for alias in (rel, doc_key(rel), _NUMBER_PREFIX.sub(r"\1", doc_key(rel))):
                if alias in self._by_path:
                    return "doc", self._by_path[alias]
            if candidate.is_file():
                if is_doc_file(candidate):
                    return "broken", "that document is not imported (partials are only inlined)"
                return "file", candidate
        node = self._by_address(path, source_node)
        if node is not None:
            return "doc", node
        if rel is None:
            return "broken", "it points outside the imported folder"
        if path.startswith("/") and self.site.url and not path.lower().endswith(DOC_SUFFIXES):
            return "site", self.site.url.rstrip("/") + "/" + path.lstrip("/")
        return "broken", "no such file, doc id or address in the docs tree"

    def _by_address(self, path: str, source_node: DocNode | None) -> DocNode | None:
        trimmed = doc_key(path.rstrip("/"))
        if path.startswith("/"):
            names = [self.site.site_path(trimmed)]
        else:
            names = [trimmed]
            own = self._urls.get(id(source_node), "") if source_node is not None else ""
            if own:  # relative to the page's address, as a browser would read it
                page_dir = (
                    own if source_node.is_folder else own.rsplit("/", 1)[0] if "/" in own else ""
                )
                names.append(os.path.normpath(f"/{page_dir}/{trimmed}").strip("/"))
                names.append(os.path.normpath(f"/{own}/{trimmed}").strip("/"))
        for name in names:
            if name is None:
                continue
            name = name.strip("/").lower()
            for candidate in (name, _NUMBER_PREFIX.sub(r"\1", name)):
                if candidate in self._by_url:
                    return self._by_url[candidate]
        return None

    def site_path(self, href: str) -> str | None:
        """For an absolute link to the old docs site: the path part, else None."""
        if not self.site.host:
            return None
        parts = urlsplit(href)
        if (parts.hostname or "").lower() != self.site.host:
            return None
        path = parts.path or "/"
        return path + (f"#{parts.fragment}" if parts.fragment else "")


def is_external(href: str) -> bool:
    return bool(urlsplit(href).scheme) or href.startswith("//")


def render_links(
    html: str,
    links: list[LinkRef],
    page_link: Callable[[LinkRef], str | None],
) -> str:
    """Replace placeholders with real links. `page_link(ref)` returns the opening tag, or None
    to keep only the link's text."""

    def replace(match: re.Match) -> str:
        ref = links[int(match.group(1))]
        opening = page_link(ref)
        inner = match.group(2)
        return f"{opening}{inner}</a>" if opening else inner

    return PLACEHOLDER.sub(replace, html)


def page_anchor_tag(page_id: int, anchor: str = "") -> str:
    """A Wagtail page link; with `anchor`, a link to that heading on the page (rendered by
    `kb.richtext`, so it follows the page when editors move or rename it)."""
    anchor = clean_anchor(anchor)
    if anchor:
        return f'<a linktype="page" id="{int(page_id)}" anchor="{escape(anchor, quote=True)}">'
    return f'<a linktype="page" id="{int(page_id)}">'


def href_tag(href: str) -> str:
    return f'<a href="{escape(href, quote=True)}">'
