"""The segments the MDX scanner (`kb.importer.mdx`) hands to the block builder, and the tables
that name them: admonition kinds, components the site builds itself, check/cross icon text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TITLE_META = re.compile(r"""\btitle=(?:"([^"]*)"|'([^']*)'|(\S+))""")


@dataclass
class Text:
    markdown: str
    source: Path


@dataclass
class Code:
    language: str
    meta: str
    code: str
    source: Path

    @property
    def title(self) -> str:
        match = TITLE_META.search(self.meta)
        if not match:
            return ""
        return next(g for g in match.groups() if g is not None)


@dataclass
class Callout:
    kind: str  # info | note | tip | warning | danger
    title: str
    children: list
    source: Path


@dataclass
class Tabs:
    items: list[tuple[str, list]] = field(default_factory=list)  # (label, segments)
    source: Path | None = None
    title: str = ""  # `<Tabs title="...">`: the code tabs' caption


@dataclass
class Steps:
    items: list[tuple[str, list]] = field(default_factory=list)  # (title, segments)
    source: Path | None = None


@dataclass
class Embed:
    """A block the document names directly: `<Video url="..." title="..."/>`."""

    type: str
    value: dict
    source: Path | None = None


@dataclass
class Transcript:
    """A training video's transcript (`<Transcript>...</Transcript>`): plain paragraphs."""

    text: str
    source: Path | None = None


# Admonition names authors use (Docusaurus, MkDocs Material, GitHub alerts) -> callout kind.
CALLOUT_KIND_ALIASES = {
    "info": "info",
    "important": "info",
    "abstract": "info",
    "summary": "info",
    "todo": "info",
    "example": "info",
    "quote": "note",
    "note": "note",
    "seealso": "note",
    "details": "note",
    "tip": "tip",
    "hint": "tip",
    "success": "tip",
    "check": "tip",
    "done": "tip",
    "question": "tip",
    "faq": "tip",
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
    "danger": "danger",
    "error": "danger",
    "failure": "danger",
    "fail": "danger",
    "bug": "danger",
}

# Components that only make sense on the old docs site; the Resource Center builds these itself.
SITE_COMPONENTS = {
    "DocCardList": "the section page lists its articles itself",
    "TOCInline": "article pages build their own table of contents",
}

# Check and cross icons (`<Check />`, `<IconX/>`, `:white_check_mark:`, `:material-close:`) say
# yes or no, mostly in comparison tables: they become text a screen reader says too.
CHECK_TEXT, CROSS_TEXT = "✓ Yes", "✗ No"
_CHECK_NAMES = {"check", "checkmark", "tick", "yes", "done", "checkcircle", "circlecheck"}
_CROSS_NAMES = {"cross", "x", "xmark", "close", "times", "no", "crosscircle", "circlex", "ban"}
EMOJI_TEXT = {
    "white_check_mark": CHECK_TEXT,
    "heavy_check_mark": CHECK_TEXT,
    "ballot_box_with_check": CHECK_TEXT,
    "x": CROSS_TEXT,
    "heavy_multiplication_x": CROSS_TEXT,
    "negative_squared_cross_mark": CROSS_TEXT,
    "warning": "⚠",
    "no_entry": "⛔",
    "bulb": "💡",
    "information_source": "ℹ",
}


def icon_text(name: str) -> str | None:
    """✓/✗ text for a check or cross icon component or icon shortcode, else None."""
    key = name.lower().replace("_", "").replace("-", "")
    for affix in ("material", "fontawesome", "octicons", "solid", "regular", "outline"):
        key = key.removeprefix(affix)
    key = key.removeprefix("icon").removesuffix("icon")
    key = key.rstrip("0123456789")  # octicons-check-16
    if key in _CHECK_NAMES:
        return CHECK_TEXT
    if key in _CROSS_NAMES:
        return CROSS_TEXT
    return None
