"""Turn the HTML Python-Markdown produces into StreamField blocks with clean Wagtail rich text.

Only what the paragraph block allows survives (paragraphs, bold, italic, inline code, links,
lists, block quotes, line breaks); every other element is unwrapped to its text, and active
content (scripts, styles, frames, forms ...) is removed with a warning. Raw HTML that authors put
into Markdown therefore never reaches a page. Headings, tables, preformatted code, images and
video frames become blocks of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from kb.importer.html_inline import (
    CODE_TAGS,
    SUBSCRIPT,
    SUPERSCRIPT,
    InlineImage,
    escape,
    group_runs,
    has_markup,
    has_text,
    is_inline,
    plain_alt,
    scripted,
    tidy,
    wrap_runs,
)
from resourcecenter.text import collapse_whitespace, html_to_text

# Removed with everything inside them; authors are told.
DROPPED_TAGS = {
    "applet",
    "audio",
    "base",
    "button",
    "canvas",
    "embed",
    "form",
    "frame",
    "frameset",
    "head",
    "iframe",
    "input",
    "link",
    "math",
    "meta",
    "noscript",
    "object",
    "script",
    "select",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "video",
}
VIDEO_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com")
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass
class RawBlock:
    """A StreamField block in the making; `meta` carries what later passes need (heading level)."""

    type: str
    value: object
    meta: dict = field(default_factory=dict)


@dataclass
class Hooks:
    """What the converter asks of the importer.

    link(href) -> an opening `<a ...>` tag to use, or None to drop the link (keeping its text);
    image(src, alt, title) -> an image block value, or None when the image cannot be imported;
    warn(message) records a warning for the document.
    """

    link: Callable[[str], str | None]
    image: Callable[[str, str, str], dict | None]
    warn: Callable[[str], None]


def html_to_blocks(html: str, hooks: Hooks) -> list[RawBlock]:
    return _Converter(hooks).convert(html)


def safe_external_href(href: str) -> str | None:
    """`href` if it is an absolute link with a safe scheme (http, https, mailto, tel)."""
    scheme = urlsplit(href.strip()).scheme.lower()
    return href.strip() if scheme in SAFE_SCHEMES else None


_STRAY_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)")


class _Converter:
    def __init__(self, hooks: Hooks):
        self.hooks = hooks
        self.blocks: list[RawBlock] = []
        self.rich: list[str] = []
        # `<a id="power"></a>` targets (tasmota marks every command in its tables so) have no
        # place in rich text; the block holding them remembers them, and links to them go to
        # the heading of that part of the page (see `finish_headings`)
        self.inline_anchors: list[str] = []

    def convert(self, html: str) -> list[RawBlock]:
        # Python's HTML parser raises on `<![x` (a "marked section" other than CDATA), which
        # browsers and Markdown show as text: an author's stray `<` before an image did that
        soup = BeautifulSoup(_STRAY_MARKED_SECTION.sub("&lt;![", html), "html.parser")
        self._blocks(soup.contents)
        self._flush()
        return self.blocks

    # block level

    def _flush(self) -> None:
        if self.rich:
            self.blocks.append(self._with_anchors(RawBlock("paragraph", "".join(self.rich))))
            self.rich = []

    def _emit(self, block: RawBlock) -> None:
        self._flush()
        self.blocks.append(self._with_anchors(block))

    def _with_anchors(self, block: RawBlock) -> RawBlock:
        if self.inline_anchors:
            block.meta.setdefault("inline_anchors", []).extend(self.inline_anchors)
            self.inline_anchors = []
        return block

    def _blocks(self, nodes) -> None:
        run: list = []
        for node in list(nodes):
            if is_inline(node):
                run.append(node)
                continue
            self._paragraph(run)
            run = []
            self._block(node)
        self._paragraph(run)

    def _block(self, node) -> None:
        if not isinstance(node, Tag):
            return
        name = node.name.lower()
        if re.fullmatch(r"h[1-6]", name):
            text = collapse_whitespace(node.get_text(" "))
            if text:
                self.inline_anchors.extend(
                    str(a.get("id") or a.get("name"))
                    for a in node.find_all("a")
                    if not a.get("href") and (a.get("id") or a.get("name"))
                )
                self._emit(
                    RawBlock(
                        "heading",
                        {"text": text[:200], "level": "h2", "anchor": ""},
                        {"level": int(name[1]), "id": node.get("id", "")},
                    )
                )
        elif name == "p":
            if not self._caption(node):
                self._paragraph(node.contents)
        elif name in ("ul", "ol"):
            deferred: list[RawBlock] = []
            self.rich.append(self._list(node, deferred))
            for block in deferred:
                self._emit(block)
        elif name == "blockquote":
            deferred = []
            content = self._quote_lines(node, deferred)
            if content:
                self.rich.append(f"<blockquote>{content}</blockquote>")
            for block in deferred:
                self._emit(block)
        elif name == "pre":
            self._emit(self._pre(node))
        elif name == "table":
            deferred = []
            table = self._table(node, deferred)
            if table:
                self._emit(table)
            for block in deferred:
                self._emit(block)
        elif name == "hr":
            self._flush()
        elif name == "iframe":
            self._iframe(node)
        elif name in DROPPED_TAGS:
            self.hooks.warn(f"removed <{name}> element: raw HTML is not imported")
        elif name == "dl":
            for item in node.find_all(["dt", "dd"], recursive=False):
                parts = self._inline(item.contents)
                if item.name == "dt":
                    parts = wrap_runs(parts, "<b>", "</b>")
                self._paragraph_parts(parts)
        else:  # div, section, details, figure, center ...: keep what is inside
            self._blocks(node.contents)

    def _caption(self, node: Tag) -> bool:
        """`Table: Caption` right after a table names it (pandoc's caption syntax)."""
        text = collapse_whitespace(node.get_text(" "))
        last = self.blocks[-1] if self.blocks and not self.rich else None
        if not text.startswith("Table:") or last is None:
            return False
        key = {"table": "table_caption", "rich_table": "caption"}.get(last.type)
        if key is None or last.value.get(key):
            return False
        last.value[key] = text[len("Table:") :].strip()[:250]
        return True

    def _paragraph(self, nodes) -> None:
        if nodes:
            self._paragraph_parts(self._inline(nodes))

    def _paragraph_parts(self, parts: list) -> None:
        for part in group_runs(parts):
            if isinstance(part, InlineImage):
                self._emit(RawBlock("image", part.value))
            else:
                text = tidy(part)
                if has_text(text):
                    self.rich.append(f"<p>{text}</p>")

    def _list(self, node: Tag, deferred: list[RawBlock]) -> str:
        name = node.name.lower()
        start = str(node.get("start") or "1")
        start = (
            f' start="{int(start)}"' if name == "ol" and start.isdigit() and start != "1" else ""
        )
        items = []
        for item in node.find_all("li", recursive=False):
            pieces: list[str] = []
            run: list = []

            def close_run(run=run, pieces=pieces):
                if run:
                    text = tidy(self._collect(self._inline(run), deferred))
                    if has_text(text):
                        pieces.append(text)
                    run.clear()

            for child in item.contents:
                child_name = child.name.lower() if isinstance(child, Tag) else ""
                if child_name in ("ul", "ol"):
                    close_run()
                    pieces.append(self._list(child, deferred))
                elif child_name == "p":
                    close_run()
                    text = tidy(self._collect(self._inline(child.contents), deferred))
                    if has_text(text):
                        pieces.append(text)
                elif child_name == "pre":
                    close_run()
                    deferred.append(self._pre(child))
                elif child_name == "table":
                    close_run()
                    images: list[RawBlock] = []
                    table = self._table(child, images)
                    if table:
                        deferred.append(table)
                    deferred.extend(images)
                elif child_name in DROPPED_TAGS:
                    close_run()
                    self.hooks.warn(f"removed <{child_name}> element: raw HTML is not imported")
                else:
                    run.append(child)
            close_run()
            html = ""
            for piece in pieces:
                if html and not piece.startswith(("<ul", "<ol")):
                    html += "<br/>"
                html += piece
            items.append(f"<li>{html}</li>")
        return f"<{name}{start}>{''.join(items)}</{name}>" if items else ""

    def _quote_lines(self, node: Tag, deferred: list[RawBlock]) -> str:
        lines = []
        for child in node.contents:
            child_name = child.name.lower() if isinstance(child, Tag) else ""
            if child_name == "pre":
                deferred.append(self._pre(child))
            elif child_name == "blockquote":
                lines.append(self._quote_lines(child, deferred))
            elif child_name in ("ul", "ol"):
                for item in child.find_all("li"):
                    lines.append("• " + tidy(self._collect(self._inline([item]), deferred)))
            else:
                text = tidy(self._collect(self._inline([child]), deferred))
                if has_text(text):
                    lines.append(text)
        return "<br/>".join(line for line in lines if line)

    def _collect(self, parts: list, deferred: list[RawBlock]) -> str:
        """Text of `parts`; images found inside are deferred to blocks after the element."""
        text = []
        for part in parts:
            if isinstance(part, InlineImage):
                deferred.append(RawBlock("image", part.value))
            else:
                text.append(part)
        return "".join(text)

    def _pre(self, node: Tag) -> RawBlock:
        code = node.find("code")
        language = ""
        classes = (code.get("class") if code is not None else None) or node.get("class") or []
        for cls in classes:
            if cls.startswith("language-"):
                language = cls[len("language-") :]
        text = node.get_text().rstrip("\n")
        return RawBlock("code", {"language": language, "filename": "", "code": text})

    def _table(self, node: Tag, deferred: list[RawBlock]) -> RawBlock | None:
        """A `table` block of plain text cells, or a `rich_table` when any cell has inline
        formatting (bold, italic, code, links), which the plain table could not keep. Images
        in cells are deferred to blocks after the table."""
        rows: list[list[str]] = []
        header = False
        for index, row in enumerate(node.find_all("tr")):
            cells = row.find_all(["td", "th"], recursive=False)
            if index == 0:
                header = row.find_parent("thead") is not None or all(
                    cell.name == "th" for cell in cells
                )
            rows.append([tidy(self._collect(self._inline(c.contents), deferred)) for c in cells])
        plain = [[html_to_text(cell) for cell in row] for row in rows]
        if not rows or not any(any(row) for row in plain):
            return None
        width = max(len(row) for row in rows)
        rich = any(has_markup(cell) for row in rows for cell in row)
        rows = [row + [""] * (width - len(row)) for row in (rows if rich else plain)]
        if rich:
            return RawBlock(
                "rich_table",
                {
                    "caption": "",
                    "first_row_is_header": bool(header),
                    "first_col_is_header": False,
                    "rows": rows,
                },
            )
        return RawBlock(
            "table",
            {
                "data": rows,
                "first_row_is_table_header": bool(header),
                "first_col_is_header": False,
                "table_header_choice": "row" if header else "neither",
                "table_caption": "",
            },
        )

    def _iframe(self, node: Tag) -> None:
        src = str(node.get("src", "")).strip()
        host = (urlsplit(src).hostname or "").lower()
        if src.startswith(("https://", "http://")) and any(
            host == h or host.endswith("." + h) for h in VIDEO_HOSTS
        ):
            title = collapse_whitespace(str(node.get("title", ""))) or "Video"
            self._emit(RawBlock("video", {"url": src, "title": title[:200]}))
        else:
            self.hooks.warn("removed <iframe> element: only YouTube and Vimeo videos are embedded")

    # inline level

    def _inline(self, nodes) -> list:
        parts: list = []
        for node in list(nodes):
            if isinstance(node, Comment | Doctype | ProcessingInstruction):
                continue
            if isinstance(node, NavigableString):
                parts.append(escape(str(node).replace("\r", "").replace("\n", " ")))
                continue
            if not isinstance(node, Tag):
                continue
            name = node.name.lower()
            if name == "br":
                parts.append("<br/>")
            elif name in ("b", "strong"):
                parts.extend(wrap_runs(self._inline(node.contents), "<b>", "</b>"))
            elif name in ("i", "em"):
                parts.extend(wrap_runs(self._inline(node.contents), "<i>", "</i>"))
            elif name in ("sup", "sub"):
                parts.append(scripted(node.get_text(), SUPERSCRIPT if name == "sup" else SUBSCRIPT))
            elif name in CODE_TAGS:
                text = node.get_text()
                if text:
                    parts.append(f"<code>{escape(text)}</code>")
            elif name == "a":
                parts.extend(self._link(node))
            elif name == "img":
                value = self.hooks.image(
                    str(node.get("src", "")).strip(),
                    plain_alt(str(node.get("alt", ""))),
                    collapse_whitespace(str(node.get("title", ""))),
                )
                if isinstance(value, str):  # a link standing in for the image
                    parts.append(value)
                elif value is not None:
                    parts.append(InlineImage(value))
            elif name in DROPPED_TAGS:
                if name == "iframe":
                    self._iframe(node)
                else:
                    self.hooks.warn(f"removed <{name}> element: raw HTML is not imported")
            elif name in ("p", "div", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
                inner = self._inline(node.contents)
                if parts and inner:
                    parts.append(" ")
                parts.extend(inner)
            else:
                parts.extend(self._inline(node.contents))
        return parts

    def _link(self, node: Tag) -> list:
        inner = self._inline(node.contents)
        href = str(node.get("href", "")).strip()
        if not href:
            target = str(node.get("id") or node.get("name") or "").strip()
            if target:
                self.inline_anchors.append(target)
            return inner
        opening = self.hooks.link(href)
        if opening is None:
            return inner
        return wrap_runs(inner, opening, "</a>")
