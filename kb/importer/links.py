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

from kb.importer.tree import DocNode, doc_key, is_doc_file
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
    """Knows every document and folder of the tree by the paths authors use to link to them."""

    def __init__(self, root: Path, tree: DocNode):
        self.root = root
        self._by_path: dict[str, DocNode] = {}
        for node in tree.walk():
            for alias in self._aliases(node):
                self._by_path.setdefault(alias, node)

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

    def locate(self, source: Path, href_path: str) -> tuple[str, object]:
        """What a relative (or site-absolute) link path points at.

        Returns ("doc", node), ("parent", None) for the tree root, ("file", path) for another
        file in the tree, or ("broken", reason).
        """
        path = unquote(href_path.split("?", 1)[0])
        base = self.root if path.startswith("/") else source.parent
        candidate = Path(os.path.normpath(base / path.lstrip("/")))
        try:
            rel = candidate.relative_to(self.root).as_posix()
        except ValueError:
            return "broken", "it points outside the imported folder"
        if rel in ("", "."):
            return "parent", None
        for alias in (rel, doc_key(rel), _NUMBER_PREFIX.sub(r"\1", doc_key(rel))):
            if alias in self._by_path:
                return "doc", self._by_path[alias]
        if candidate.is_file():
            if is_doc_file(candidate):
                return "broken", "that document is not imported (partials are only inlined)"
            return "file", candidate
        return "broken", "no such file in the docs tree"


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
