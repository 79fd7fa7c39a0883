"""One Markdown/MDX document -> title, metadata and StreamField blocks (links still unresolved)."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import markdown

from kb.highlighting import normalise_language
from kb.importer.doc_blocks import (
    BLOCK_NAMES,
    finish_headings,
    merge_paragraphs,
    take_title,
)
from kb.importer.frontmatter import PageMeta, page_meta, split_front_matter
from kb.importer.html import (
    Hooks,
    RawBlock,
    escape,
    html_to_blocks,
    safe_external_href,
)
from kb.importer.links import LinkRef, LinkResolver, href_tag, is_external
from kb.importer.mdx import SegmentParser
from kb.importer.mdx_segments import Callout, Code, Embed, Steps, Tabs, Text, Transcript
from kb.importer.media import MediaLibrary
from kb.importer.pages import site_serves
from kb.importer.site import SiteInfo
from kb.importer.tree import DOC_SUFFIXES, within
from resourcecenter.text import collapse_whitespace, html_to_text

MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "attr_list", "def_list"]
PLAIN_LANGUAGES = {"text", "txt", "plain", "plaintext", "none", "output", "log", "raw"}


@dataclass
class ConvertedDoc:
    """A document ready to become a page, except that its links still wait for page ids."""

    meta: PageMeta
    title: str
    blocks: list[RawBlock]
    links: list[LinkRef] = field(default_factory=list)
    anchors: dict[str, str] = field(default_factory=dict)  # anchor as linked -> heading id
    transcript: str = ""  # a training video's `<Transcript>`


def read_text(path: Path) -> tuple[str | None, str]:
    """The file's text, or None and why it cannot be used (unreadable, not UTF-8)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"file cannot be read ({exc.strerror or exc}); skipped"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, (
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); skipped - "
            "save the file as UTF-8 and import again"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), ""


def render_markdown(text: str) -> str:
    text = _TOC_MARKER.sub("", text)  # MkDocs/Python-Markdown [TOC]: pages build their own
    text = _MARK.sub(r"<b>\1</b>", text)  # MkDocs' ==highlight==: shown bold
    renderer = _RENDERER.get()
    if renderer is None:  # building one (its extensions) costs more than most conversions
        renderer = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS)
        _RENDERER.set(renderer)
    try:
        return renderer.reset().convert(normalise_list_indent(text))
    except Exception:
        _RENDERER.set(None)  # never reuse a renderer left half-way through a document
        raise


_RENDERER: contextvars.ContextVar[markdown.Markdown | None] = contextvars.ContextVar(
    "markdown_renderer", default=None
)


_MARK = re.compile(r"(?<![=\w`])==(?=[^\s=])([^=\n`]+?)(?<=[^\s=])==(?![=\w`])")
_TOC_MARKER = re.compile(r"^[ \t]*\[TOC\][ \t]*$", re.MULTILINE)


_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>[ \t]+|$)")


def normalise_list_indent(text: str) -> str:
    """Re-indent nested lists to the four spaces Python-Markdown needs.

    Docusaurus and GitHub (CommonMark) nest a list item under another when it is indented to
    the parent's text, often just two spaces; Python-Markdown would flatten such lists.
    """
    out: list[str] = []
    stack: list[int] = []  # content column of each open list item
    previous_blank = False
    for line in text.split("\n"):
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        item = _LIST_ITEM.match(expanded)
        if item:
            while stack and indent < stack[-1]:
                stack.pop()
            level = len(stack)
            stack.append(indent + len(item["marker"]) + max(len(item["space"]), 1))
            out.append(" " * 4 * level + expanded.lstrip(" "))
        elif not line.strip():
            out.append(line)
        elif stack:
            owners = [i for i, column in enumerate(stack) if indent >= column]
            if owners:
                out.append(" " * 4 * (owners[-1] + 1) + expanded.lstrip(" "))
            elif previous_blank:
                stack.clear()
                out.append(line)
            else:
                out.append(line)  # a lazy continuation of the item's paragraph
        else:
            out.append(line)
        previous_blank = not line.strip()
    return "\n".join(out)


class DocConverter:
    """Converts documents of one tree; shares the link resolver and the media library."""

    def __init__(
        self,
        root: Path,
        resolver: LinkResolver,
        media: MediaLibrary,
        site: SiteInfo | None = None,
    ):
        self.root = root
        self.site = site or SiteInfo(docs_root=root)
        self.current_node = None  # the tree node of the document being converted
        self.resolver = resolver
        self.media = media
        self.report = media.report

    def convert(
        self, text: str, source: Path, warn: Callable[[str], None], fallback_title: str
    ) -> ConvertedDoc:
        front = split_front_matter(text)
        problems = list(front.problems)
        meta = page_meta(front.data, problems)
        for problem in problems:
            warn(problem)
        if meta.draft:  # not imported: do not bring its images into the library either
            return ConvertedDoc(meta, meta.title or fallback_title, [])
        bases = [self.site.site_root, self.root] if self.site.site_root else [self.root]
        parser = SegmentParser(
            self.root, warn, lambda path: self._read_partial(path, warn), snippet_bases=bases
        )
        segments = parser.parse_document(front.body, source, front.body_line)
        links: list[LinkRef] = []
        blocks = self._blocks(segments, links, warn)
        transcript = "\n\n".join(b.value for b in blocks if b.type == "transcript")
        blocks = [b for b in blocks if b.type != "transcript"]
        title, blocks = take_title(meta.title, blocks, fallback_title)
        anchors = finish_headings(blocks)
        for block in blocks:
            if block.type == "code":
                _finish_code(block, warn)
        return ConvertedDoc(meta, title[:255], blocks, links, anchors, transcript)

    def _read_partial(self, path: Path, warn) -> str | None:
        text, problem = read_text(path)
        if text is None:
            warn(f"partial {self._rel(path)}: {problem.replace('; skipped', '')}; not inlined")
            return None
        return split_front_matter(text).body

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    # segments -> blocks

    def _blocks(self, segments: list, links: list[LinkRef], warn) -> list[RawBlock]:
        out: list[RawBlock] = []
        for segment in segments:
            if isinstance(segment, Text):
                hooks = self._hooks(segment.source, links, warn)
                out.extend(html_to_blocks(render_markdown(segment.markdown), hooks))
            elif isinstance(segment, Code):
                if not segment.code.strip():
                    continue  # an empty fence shows nothing
                out.append(
                    RawBlock(
                        "code",
                        {
                            "language": segment.language,
                            "filename": segment.title[:200],
                            "code": segment.code,
                        },
                    )
                )
            elif isinstance(segment, Callout):
                out.extend(self._callout(segment, links, warn))
            elif isinstance(segment, Tabs):
                out.extend(self._tabs(segment, links, warn))
            elif isinstance(segment, Steps):
                out.extend(self._steps(segment, links, warn))
            elif isinstance(segment, Embed):
                out.append(RawBlock(segment.type, dict(segment.value)))
            elif isinstance(segment, Transcript):
                out.append(RawBlock("transcript", segment.text))
        return merge_paragraphs(out)

    def _steps(self, segment: Steps, links, warn) -> list[RawBlock]:
        """A numbered procedure: each step's prose is its body; code, tables and images in a
        step cannot be shown inside it and follow the steps."""
        steps, after = [], []
        for title, children in segment.items:
            body = []
            for block in self._blocks(children, links, warn):
                if block.type == "paragraph":
                    body.append(_callout_html(block.value))
                elif block.type == "heading":
                    body.append(f"<p><b>{escape(block.value['text'])}</b></p>")
                else:
                    after.append(block)
            steps.append({"title": collapse_whitespace(title)[:200], "body": "".join(body)})
        if after:
            kinds = sorted({BLOCK_NAMES.get(b.type, b.type) for b in after})
            warn(f"{' and '.join(kinds)} inside <Steps> cannot be shown in a step; placed after")
        return [RawBlock("steps", {"steps": steps}), *after] if steps else after

    def _callout(self, segment: Callout, links, warn) -> list[RawBlock]:
        body: list[str] = []
        after: list[RawBlock] = []
        for block in self._blocks(segment.children, links, warn):
            if block.type == "paragraph":
                body.append(_callout_html(block.value))
            elif block.type == "heading":
                body.append(f"<p><b>{escape(block.value['text'])}</b></p>")
            elif block.type == "callout":
                inner_title = block.value["title"] or block.value["kind"].title()
                body.append(f"<p><b>{escape(inner_title)}</b></p>{block.value['body']}")
            else:
                after.append(block)
        if after:
            kinds = sorted({BLOCK_NAMES.get(b.type, b.type) for b in after})
            warn(
                f"{' and '.join(kinds)} inside a '{segment.kind}' callout cannot be shown in "
                "the box; placed right after it"
            )
        title = html_to_text(render_markdown(segment.title))
        html = "".join(body)
        if not html and title:  # a callout that is all title: say it in the body
            html, title = f"<p>{escape(title)}</p>", ""
        if not html:
            return after
        callout = RawBlock("callout", {"kind": segment.kind, "title": title[:120], "body": html})
        return [callout, *after]

    def _tabs(self, segment: Tabs, links, warn) -> list[RawBlock]:
        items = [(label, self._blocks(children, links, warn)) for label, children in segment.items]
        if items and all(len(blocks) == 1 and blocks[0].type == "code" for _, blocks in items):
            tabs = []
            for number, (label, blocks) in enumerate(items, start=1):
                _finish_code(blocks[0], warn)
                if label == f"Tab {number}":  # no label in the source: name it by language
                    label = ""
                tabs.append({"label": collapse_whitespace(label)[:60], **blocks[0].value})
            title = collapse_whitespace(segment.title)[:200]
            return [RawBlock("code_tabs", {"title": title, "tabs": tabs})]
        # Tabs holding prose (Android / iOS steps ...): each tab becomes a titled part of the
        # page, its label a heading one level below the heading before it (finish_headings).
        out: list[RawBlock] = []
        meta = {"level": 6, "id": "", "tab_group": id(segment)}  # siblings: one shared level
        for label, blocks in items:
            text = collapse_whitespace(label)[:200]
            out.append(RawBlock("heading", {"text": text, "level": "h4", "anchor": ""}, meta))
            out.extend(blocks)
        return merge_paragraphs(out)

    # links and images found in Markdown

    def _hooks(self, source: Path, links: list[LinkRef], warn) -> Hooks:
        hooks = _DocumentHooks(self, source, links, warn)
        return Hooks(link=hooks.link, image=hooks.image, warn=warn)

    def _image_path(self, source: Path, src: str) -> tuple[Path | None, str]:
        """The image file `src` names, or None and why not. Images are read only from the
        docs folder, the site folder's `@site/` paths and the site's static folders."""
        statics = self.site.static_dirs
        site_root = self.site.site_root
        bases = [self.root, *statics] + ([site_root] if site_root else [])
        if src.startswith("@site/") and site_root is not None:
            candidates = [site_root / src[len("@site/") :]]
        elif src.startswith("/"):  # Docusaurus serves /img/... from the site's static/ folder
            relative = src.lstrip("/")
            base = self.site.base_url.strip("/")
            if base and relative.startswith(base + "/"):
                relative = relative[len(base) + 1 :]
            candidates = [self.root / relative, *(static / relative for static in statics)]
        else:
            candidates = [source.parent / src]
            if source.stem.lower() not in ("index", "readme", "_index"):
                # raw HTML is left alone by the site generator: the browser reads its paths
                # from the page's address, a folder named after the file (/docs/page/)
                candidates.append(Path(os.path.normpath(source.parent / source.stem / src)))
        for candidate in candidates:
            if candidate.is_file():
                if not within(candidate, *bases):
                    return None, "it is outside the docs folder"
                return candidate.resolve(), ""
        return None, "no such file"


def _callout_html(html: str) -> str:
    """Callout bodies allow no block quotes: keep the quoted text as a paragraph."""
    return re.sub(r"<blockquote>(.*?)</blockquote>", r"<p>\1</p>", html, flags=re.DOTALL)


def _finish_code(block: RawBlock, warn) -> None:
    written = (block.value.get("language") or "").strip()
    language = normalise_language(written)
    if written and language == "text" and written.lower() not in PLAIN_LANGUAGES:
        warn(f"code language '{written}' is not highlighted here; shown as plain text")
    block.value["language"] = language


class _DocumentHooks:
    """What the Markdown converter does with one document's links and images: links become
    placeholders resolved once every page exists, images are imported (or left out, said why)."""

    def __init__(self, converter, source: Path, links: list[LinkRef], warn):
        self.converter, self.source, self.links, self.warn = converter, source, links, warn

    def placeholder(self, ref: LinkRef) -> str:
        self.links.append(ref)
        return f'<a data-import-link="{len(self.links) - 1}">'

    def unresolved(self, message: str) -> None:
        self.warn(message)
        self.converter.report.unresolved_links.append((self.converter._rel(self.source), message))

    def link(self, href: str) -> str | None:
        if href.startswith("#"):
            return self.placeholder(LinkRef("anchor", href, anchor=unquote(href[1:])))
        own_site = self.converter.resolver.site_path(href) if is_external(href) else None
        if own_site is not None:  # an absolute link to the old docs site: its page here
            href = own_site
        if is_external(href):
            absolute = "https:" + href if href.startswith("//") else href
            safe = safe_external_href(absolute)
            if safe:
                return href_tag(safe)
            self.warn(
                f"link '{href[:80]}' removed: only http, https, mailto and tel links are "
                "kept; its text was kept"
            )
            return None
        path, _, anchor = href.partition("#")
        if path.startswith("/") and site_serves(path):  # /community/: this site's own
            return href_tag(href)
        kind, target = self.converter.resolver.locate(
            self.source, path, self.converter.current_node
        )
        if kind == "site":
            self.unresolved(
                f"link '{href}' names no document in the tree; it links to the old site ({target})"
            )
            return href_tag(target + (f"#{anchor}" if anchor else ""))
        if kind == "doc":
            return self.placeholder(LinkRef("doc", href, node=target, anchor=unquote(anchor)))
        if kind == "parent":
            return self.placeholder(LinkRef("parent", href, anchor=unquote(anchor)))
        if kind == "file":
            result = self.converter.media.document(target)
            if result.problem:
                self.warn(f"link '{href}': {result.problem}; link removed, its text kept")
                return None
            return self.placeholder(LinkRef("document", href, document_id=result.id))
        if path.startswith("/") and not path.lower().endswith(DOC_SUFFIXES):
            self.unresolved(f"link '{href}' points outside the imported docs; kept as it is")
            return href_tag(href)
        self.unresolved(f"broken link '{href}': {target}; the link was removed, its text kept")
        return None

    def image(self, src: str, alt: str, title: str) -> dict | None:
        if not src:
            return None
        self.converter.report.image_refs += 1

        def left_out(message: str) -> None:
            self.warn(message)
            self.converter.report.image_problems.append((self.converter._rel(self.source), message))

        if src.startswith("data:"):
            left_out("inline data: image left out; save it as a file beside the document")
            return None
        if is_external(src):
            # not downloaded (an import never fetches from the network); the reader
            # still reaches it: a link named by its alt text takes its place
            self.converter.report.image_refs -= 1
            self.converter.report.remote_images.append((self.converter._rel(self.source), src))
            safe = safe_external_href("https:" + src if src.startswith("//") else src)
            if not safe:
                return None
            label = escape(alt or title or "Image")
            return f"{href_tag(safe)}{label} (image)</a>"
        path, problem = self.converter._image_path(
            self.source, unquote(src.split("?", 1)[0].split("#")[0])
        )
        if path is None:
            label = "missing image" if problem == "no such file" else "image"
            left_out(f"{label} '{src}': {problem}; the image was left out")
            return None
        result = self.converter.media.image(path, alt or title)
        if result.problem:
            left_out(f"image '{src}' left out: {result.problem}")
            return None
        if result.note:
            self.warn(f"image '{src}': {result.note}")
        return {"image": result.id, "alt_text": alt[:250], "caption": title[:250]}
