"""Passes over a document's converted blocks: the page title, heading levels and anchors, merged
paragraphs, and a section introduction built from blocks."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.text import slugify

from kb.blocks import heading_anchor
from kb.importer.html import RawBlock, escape
from resourcecenter.text import collapse_whitespace

ANCHOR_MAX = 80


BLOCK_NAMES = {
    "code": "code",
    "code_tabs": "code tabs",
    "table": "a table",
    "rich_table": "a table",
    "image": "an image",
    "video": "a video",
}


def merge_paragraphs(blocks: list[RawBlock]) -> list[RawBlock]:
    merged: list[RawBlock] = []
    for block in blocks:
        if block.type == "paragraph" and merged and merged[-1].type == "paragraph":
            merged[-1] = RawBlock("paragraph", merged[-1].value + block.value)
        else:
            merged.append(block)
    return merged


def take_title(
    front_matter_title: str, blocks: list[RawBlock], fallback: str
) -> tuple[str, list[RawBlock]]:
    """The page title: front matter, else the first H1, else the file name. The H1 that repeats
    the title is dropped (the page template shows the title)."""
    h1s = [b for b in blocks if b.type == "heading" and b.meta.get("level") == 1]
    title = front_matter_title or (h1s[0].value["text"] if h1s else "") or fallback
    for block in h1s:
        if (
            collapse_whitespace(block.value["text"]).casefold()
            == collapse_whitespace(title).casefold()
        ):
            blocks = [b for b in blocks if b is not block]
            break
    return title, blocks


def finish_headings(blocks: list[RawBlock]) -> dict[str, str]:
    """Map Markdown heading levels onto h2-h4 without skipping a level (an H4 right after an
    H2 becomes an H3), give every heading a unique anchor and return
    the anchors other documents may use for it (GitHub/Docusaurus and MkDocs styles, {#ids})."""
    aliases: dict[str, str] = {}
    seen: set[str] = set()
    github_seen: dict[str, int] = {}
    previous = 1  # the page title is the H1
    tab_levels: dict[int, int] = {}  # the labels of one set of tabs share a level
    current = ""  # the anchor of the heading the blocks below belong to
    for block in blocks:
        if block.type != "heading":
            for name in block.meta.get("inline_anchors", ()) if current else ():
                aliases.setdefault(name, current)  # `<a id>` in a table: its part of the page
            continue
        level = min(max(block.meta.get("level", 2), 2), 4, previous + 1)  # no skipped levels
        group = block.meta.get("tab_group")
        if group is not None:
            level = tab_levels.setdefault(group, level)
        previous = level
        block.value["level"] = f"h{level}"
        text = block.value["text"]
        explicit = slugify(block.meta.get("id") or "")[:ANCHOR_MAX]
        base = heading_anchor({"anchor": explicit, "text": text})[:ANCHOR_MAX].strip("-")
        base = base or "section"
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base[: ANCHOR_MAX - 4]}-{n}"
        seen.add(anchor)
        if explicit or anchor != heading_anchor({"text": text}):
            block.value["anchor"] = anchor
        github = github_slug(text)
        count = github_seen.get(github, 0)
        github_seen[github] = count + 1
        names = [
            anchor,
            block.meta.get("id") or "",
            github if count == 0 else f"{github}-{count}",
            slugify(text) if count == 0 else "",
        ]
        for name in names:
            if name:
                aliases.setdefault(name, anchor)
                aliases.setdefault(name.lower(), anchor)
        current = anchor
        for name in block.meta.get("inline_anchors", ()):
            aliases.setdefault(name, anchor)
    return aliases


def github_slug(text: str) -> str:
    """The anchor GitHub, Docusaurus and most Markdown sites give a heading."""
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def blocks_to_intro(blocks: list[RawBlock], warn: Callable[[str], None]) -> str:
    """A section's introduction (a rich text field): prose, headings and callouts survive;
    code, tables, images and videos cannot be shown there and are reported."""
    html: list[str] = []
    dropped: set[str] = set()
    for block in blocks:
        if block.type == "paragraph":
            html.append(block.value)
        elif block.type == "heading":
            html.append(
                f"<{block.value['level']}>{escape(block.value['text'])}</{block.value['level']}>"
            )
        elif block.type == "callout":
            label = block.value["title"] or block.value["kind"].title()
            html.append(f"<p><b>{escape(label)}</b></p>{block.value['body']}")
        else:
            dropped.add(BLOCK_NAMES.get(block.type, block.type))
    if dropped:
        warn(
            f"{' and '.join(sorted(dropped))} in a folder's index page cannot be shown in the "
            "section introduction; left out (move it into an article)"
        )
    return "".join(html)
