"""Split a Markdown/MDX document into segments the block builder understands.

Python-Markdown knows nothing of fenced code meta (`title="app.py"`), admonitions (`:::tip`,
`!!! tip`, `> [!TIP]`), Docusaurus `<Tabs>`/`<TabItem>`, MDX `import`/`export` statements,
partials or JSX components. This scanner takes those out first, line by line, and leaves plain
Markdown `Text` segments for Python-Markdown. It never raises on odd input: anything it cannot
use is dropped with a warning, never passed on as raw markup.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kb.importer.tree import within

# --- segments ---------------------------------------------------------------------------------


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
        match = _TITLE_META.search(self.meta)
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

# Docusaurus theme components the importer understands.
KNOWN_COMPONENTS = {
    "Tabs",
    "TabItem",
    "Admonition",
    "CodeBlock",
    "Details",
    "Steps",
    "Step",
    "Video",
    "Transcript",
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
_ESCAPED_TAG = re.compile(r"\\<(?P<name>/?[A-Za-z][\w-]*)\\?>")
# `&lt;img src="x"&gt;`: an author showing a tag's source; a run of them is one code span
# (HTML elements only: `Bearer &lt;key>` is a placeholder and stays text)
_HTML_NAMES = (
    r"(?:a|b|br|center|code|div|em|h[1-6]|hr|i|iframe|img|input|li|ol|p|pre|script|small|span|"
    r"strong|style|sub|sup|table|td|th|tr|u|ul|video)"
)
_ENTITY_TAGS = re.compile(
    rf"(?:&lt;/?{_HTML_NAMES}(?=[\s/>&])(?:\s[^<>\n`]*?)?/?(?:&gt;|>))+", re.IGNORECASE
)
_ICON_SHORTCODE = re.compile(
    r"(?<![\w:/]):(?P<name>(?P<family>(?:material|fontawesome|octicons|simple|fa)-)?[a-z0-9_+-]+):"
    r"(?![\w/])"
)


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


_TITLE_META = re.compile(r"""\btitle=(?:"([^"]*)"|'([^']*)'|(\S+))""")
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_ADMONITION_OPEN = re.compile(
    r"^[ \t]*(?P<colons>:{3,})[ \t]*(?P<kind>[A-Za-z][\w-]*)(?P<rest>.*)$"
)
_ADMONITION_CLOSE = re.compile(r"^[ \t]*(?P<colons>:{3,})[ \t]*$")
# `!!! type`, `!!! type "title"`, and the one-line forms authors write although MkDocs does
# not parse them: `!!! type text`, `!!! type "title" text`, `!!! Some sentence`. Without a
# space (`!!!note "title"`) only MkDocs' own grammar counts, so "!!!Careful!!!" stays text.
_MKDOCS_ADMONITION = re.compile(
    r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?)\+?"
    r"(?:[ \t]+|(?=[\w-]+(?:[ \t]+[\w-]+)*(?:[ \t]+\"[^\"]*\")?[ \t]*$))"
    r"(?P<rest>\S.*?)[ \t]*$"
)
_MKDOCS_TAB = re.compile(r"^(?P<indent>[ \t]*)===\+?[ \t]+\"(?P<label>[^\"]*)\"[ \t]*$")
_GITHUB_ALERT = re.compile(
    r"^[ \t]*>[ \t]*\[!(?P<kind>NOTE|TIP|IMPORTANT|WARNING|CAUTION|INFO|DANGER)\]"
    r"[ \t]*(?P<title>.*)$",
    re.IGNORECASE,
)
_IMPORT_START = re.compile(r"^import(?:\s|\{|$)")
_IMPORT_FROM = re.compile(
    r"^import\s+(?P<clause>.+?)\s+from\s+(?P<q>['\"])(?P<src>.+?)(?P=q)\s*;?\s*$", re.DOTALL
)
_IMPORT_BARE = re.compile(r"^import\s+(?P<q>['\"])(?P<src>.+?)(?P=q)\s*;?\s*$", re.DOTALL)
_EXPORT_START = re.compile(r"^export\s+(?:const|let|var|function|async|class|default|\{|\*)")
_TAG_START = re.compile(r"<(?P<close>/)?(?P<name>[A-Za-z][\w.:-]*)")
_BLOCK_TAG_LINE = re.compile(r"^[ \t]*<(?P<name>[A-Z][\w.]*|details)(?=[\s/>]|$)")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico")
_JSX_SOURCE = re.compile(
    r"""(?P<attr>\b(?:src|href))\s*=\s*\{\s*(?:"""
    r"""require\(\s*(?P<q1>['"`])(?P<req>[^'"`]+)(?P=q1)\s*\)(?:\.default)?"""
    r"""|useBaseUrl\(\s*(?P<q2>['"`])(?P<base>[^'"`]+)(?P=q2)\s*\)"""
    r"""|`(?P<tpl>[^`$]*)`"""
    r"""|(?P<name>[A-Za-z_$][\w$]*)"""
    r""")\s*\}"""
)
_STR = r"""(?:`(?:[^`\\]|\\.)*`|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_STRING_PART = re.compile(_STR)
_STRINGS = rf"(?P<expr>{_STR}(?:\s*\+\s*{_STR})*)"
# attr={`...`} and {`...`} (JSX expressions holding only strings, joined with +)
_JSX_ATTR_STRING = re.compile(rf"(?P<attr>\b[\w-]+)=\{{\s*{_STRINGS}\s*\}}")
_JSX_STRING_BLOCK = re.compile(rf"\{{\s*(?=[`\"']){_STRINGS}\s*\}}")
_PROPS_TERNARY = re.compile(
    r"""\{\s*props\.(?P<name>\w+)\s*(?:(?P<op>===|==|!==|!=)\s*['"](?P<value>[^'"]*)['"]\s*)?"""
    r"""\?\s*['"`](?P<yes>[^'"`]*)['"`]\s*:\s*['"`](?P<no>[^'"`]*)['"`]\s*\}"""
)
_OTHER_PROPS = re.compile(r"\{[^{}\n]*\bprops\.[^{}\n]*\}")
_SNIPPET_LINE = re.compile(
    r"""^(?P<indent>[ \t]*)(?P<escaped>;)?--8<--[ \t]+(?P<name>["'][^"'\n]+["']|\S+)[ \t]*$""",
    re.MULTILINE,
)
_SNIPPET_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)--8<--[ \t]*\n(?P<names>(?:(?![ \t]*--8<--).*\n)*?)[ \t]*--8<--[ \t]*$",
    re.MULTILINE,
)
_MDX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATTR = re.compile(
    r"""(?P<name>[A-Za-z_][\w-]*)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|\{(?P<expr>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}|(?P<bare>[^\s>/]+)))?"""
)


# --- the scanner ------------------------------------------------------------------------------


@dataclass
class _Components:
    """What the document's `import` statements bring in."""

    partials: dict[str, Path] = field(default_factory=dict)
    missing_partials: set[str] = field(default_factory=set)
    others: dict[str, str] = field(default_factory=dict)  # name -> module
    images: dict[str, str] = field(default_factory=dict)  # name -> image file


class SegmentParser:
    """Turn one document (and, recursively, the partials it uses) into segments.

    `warn(message)` records a warning for the document being imported; `read_partial(path)`
    returns a partial's text (front matter removed) or None after warning itself.
    """

    def __init__(
        self,
        root: Path,
        warn: Callable[[str], None],
        read_partial: Callable[[Path], str | None],
        snippet_bases: list[Path] | None = None,
    ):
        self.root = root
        # MkDocs' `--8<--` snippets are named from the project folder (or the docs folder)
        self.snippet_bases = snippet_bases or [root]
        self._warn = warn
        self.read_partial = read_partial
        self._stack: list[Path] = []
        self._line0 = 0  # line offset of the text being scanned, for messages

    # public

    def parse_document(self, text: str, source: Path, first_line: int = 1) -> list:
        """Segments of `text` (a document body starting on line `first_line` of its file)."""
        self._stack.append(source)
        try:
            text = self._snippets(text)
            text = _outside_fences(text, _strip_comments)
            text = _outside_fences(text, lambda part: self._expressions(part, {}))
            return self._parse(text, source, _Components(), first_line - 1)
        finally:
            self._stack.pop()

    # internals

    def warn(self, message: str) -> None:
        if len(self._stack) > 1:  # inside a partial: say which one
            message = f"{message} (in {self._rel(self._stack[-1])})"
        self._warn(message)

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def _line(self, index: int) -> int:
        return self._line0 + index + 1

    def _parse(self, text: str, source: Path, components: _Components, line0: int = 0) -> list:
        saved, self._line0 = self._line0, line0
        try:
            return self._scan(text, source, components)
        finally:
            self._line0 = saved

    def _scan(self, text: str, source: Path, components: _Components) -> list:
        segments: list = []
        buffer: list[str] = []

        def flush():
            if buffer:
                markdown = self._jsx_sources("".join(buffer), components)
                markdown = self._strip_inline_jsx(markdown, components)
                markdown = _outside_fences(markdown, self._inline_markup)
                if markdown.strip():
                    segments.append(Text(markdown, source))
                buffer.clear()

        lines = text.splitlines(keepends=True)
        i = 0
        while i < len(lines):
            consumed = self._take_block(lines, i, source, components, segments, flush)
            if consumed is not None:
                i = consumed
                continue
            buffer.append(lines[i])
            i += 1
        flush()
        return segments

    def _take_block(self, lines, i, source, components, segments, flush) -> int | None:
        """If line `i` opens a block (fence, admonition, tabs, alert, import, export, a JSX
        component), take it into `segments` (after `flush()`ing the text before it) and return
        the index of the line after it; None for a line of plain Markdown."""
        line = lines[i]
        stripped = line.rstrip("\r\n")
        fence = _FENCE_OPEN.match(stripped)
        if fence and not (fence["fence"][0] == "`" and "`" in fence["info"]):
            flush()
            return self._take_fence(lines, i, fence, source, segments)
        admonition = _ADMONITION_OPEN.match(stripped)
        if admonition:
            flush()
            return self._take_admonition(lines, i, admonition, source, components, segments)
        if _ADMONITION_CLOSE.match(stripped):
            flush()
            self.warn(f"line {self._line(i)}: '{stripped.strip()}' closes no admonition; dropped")
            return i + 1
        mkdocs = _MKDOCS_ADMONITION.match(stripped)
        if mkdocs:
            flush()
            return self._take_mkdocs_admonition(lines, i, mkdocs, source, components, segments)
        if _MKDOCS_TAB.match(stripped):
            flush()
            return self._take_mkdocs_tabs(lines, i, source, components, segments)
        alert = _GITHUB_ALERT.match(stripped)
        if alert:
            flush()
            return self._take_github_alert(lines, i, alert, source, components, segments)
        if _IMPORT_START.match(line):
            consumed = self._take_import(lines, i, source, components)
            if consumed is not None:
                flush()
                return consumed
        if _EXPORT_START.match(line):
            flush()
            return self._take_export(lines, i)
        if _BLOCK_TAG_LINE.match(stripped):
            return self._take_component(lines, i, source, components, segments, flush)
        return None

    # fenced code

    def _take_fence(self, lines, i, fence, source, segments) -> int:
        indent = len(fence["indent"].expandtabs(4))
        closer = _fence_closer(fence["fence"])
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closer.match(lines[j].rstrip("\r\n")):
            body.append(_dedent_line(lines[j], indent))
            j += 1
        if j >= len(lines):
            self.warn(
                f"line {self._line(i)}: code block is never closed; it runs to the end of the file"
            )
        info = fence["info"].strip()
        language, _, meta = info.partition(" ")
        language = language.strip("{}").lstrip(".")
        if "{" in language:  # ```js{1,3}: highlighted lines
            language = language.split("{", 1)[0]
        code = "".join(body).rstrip("\r\n").replace("\r\n", "\n")
        segments.append(Code(language, meta.strip(), code, source))
        return j + 1

    # admonitions

    def _take_admonition(self, lines, i, match, source, components, segments) -> int:
        colons = len(match["colons"])
        kind, title = match["kind"], _admonition_title(match["rest"])
        depth, j = 0, i + 1
        in_fence = None
        while j < len(lines):
            current = lines[j].rstrip("\r\n")
            fence = _FENCE_OPEN.match(current)
            if in_fence:
                if _fence_closer(in_fence).match(current):
                    in_fence = None
            elif fence:
                in_fence = fence["fence"]
            else:
                opened = _ADMONITION_OPEN.match(current)
                closed = _ADMONITION_CLOSE.match(current)
                if opened and len(opened["colons"]) == colons:
                    depth += 1
                elif closed and len(closed["colons"]) == colons:
                    if depth == 0:
                        break
                    depth -= 1
            j += 1
        if j >= len(lines):
            self.warn(f"line {self._line(i)}: ':::{kind}' is never closed with ':::'")
        inner = "".join(lines[i + 1 : j])
        segments.append(self._callout(kind, title, inner, source, components, self._line0 + i + 1))
        return j + 1

    def _take_mkdocs_admonition(self, lines, i, match, source, components, segments) -> int:
        indent = len(match["indent"].expandtabs(4)) + 4
        body, j = self._indented_body(lines, i + 1, indent)
        kind, title, text = mkdocs_admonition_head(match["rest"], has_body=bool(body))
        if kind is None:
            self.warn(
                f"line {self._line(i)}: '!!!' names no admonition type; the text is shown as a note"
            )
            kind = "note"
        inner = "".join(body)
        if text:
            inner = f"{text}\n{inner}" if inner else text
        segments.append(self._callout(kind, title, inner, source, components, self._line0 + i + 1))
        return j

    def _take_mkdocs_tabs(self, lines, i, source, components, segments) -> int:
        """MkDocs Material content tabs: `=== "Python"` followed by indented content."""
        tabs = Tabs(source=source)
        j = i
        first_indent = None
        while j < len(lines):
            match = _MKDOCS_TAB.match(lines[j].rstrip("\r\n"))
            indent = len(match["indent"].expandtabs(4)) if match else None
            if match is None or (first_indent is not None and indent != first_indent):
                break
            first_indent = indent
            start = j + 1
            body, j = self._indented_body(lines, start, indent + 4)
            children = self._parse("".join(body), source, components, self._line0 + start)
            tabs.items.append((match["label"], children))
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and _MKDOCS_TAB.match(lines[k].rstrip("\r\n")):
                j = k
            else:
                break
        segments.append(tabs)
        return j

    def _indented_body(self, lines, j, indent) -> tuple[list[str], int]:
        body: list[str] = []
        while j < len(lines):
            current = lines[j]
            expanded = current.expandtabs(4)
            if current.strip() and len(expanded) - len(expanded.lstrip()) < indent:
                break
            body.append(_dedent_line(current, indent))
            j += 1
        while body and not body[-1].strip():
            body.pop()
            j -= 1
        return body, j

    def _take_github_alert(self, lines, i, match, source, components, segments) -> int:
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].lstrip().startswith(">"):
            body.append(re.sub(r"^[ \t]*>[ \t]?", "", lines[j]))
            j += 1
        segments.append(
            self._callout(
                match["kind"],
                match["title"].strip(),
                "".join(body),
                source,
                components,
                self._line0 + i + 1,
            )
        )
        return j

    def _callout(self, kind: str, title: str, inner: str, source, components, line0) -> Callout:
        mapped = CALLOUT_KIND_ALIASES.get(kind.lower())
        if mapped is None:
            self.warn(f"unknown admonition type '{kind}'; shown as a note")
            mapped = "note"
        children = self._parse(textwrap.dedent(inner), source, components, line0)
        return Callout(mapped, title.strip()[:120], children, source)

    # MDX statements

    def _take_import(self, lines, i, source, components) -> int | None:
        """Consume an ESM import (possibly over several lines); None if the line is prose
        that merely starts with the word "import"."""
        statement = ""
        for j in range(i, min(i + 30, len(lines))):
            statement += lines[j]
            if not lines[j].strip():
                return None
            stmt = statement.strip()
            if _IMPORT_BARE.match(stmt):  # `import './styles.css'`: nothing to show
                return j + 1
            match = _IMPORT_FROM.match(stmt)
            if match:
                break
        else:
            return None
        j += 1
        names = _imported_names(match["clause"])
        module = match["src"]
        if module.lower().endswith((".md", ".mdx", ".markdown")) and (
            module.startswith((".", "@site/"))
        ):
            path = self._partial_path(source, module)
            if path is None:
                self.warn(
                    f"partial '{module}' imported on line {self._line(i)} does not exist "
                    "in the docs folder"
                )
                components.missing_partials.update(names)
            else:
                for name in names:
                    components.partials[name] = path
        elif module.lower().endswith(IMAGE_SUFFIXES):  # import pic from './x.png'
            for name in names[:1]:
                components.images[name] = module
        else:
            for name in names:
                components.others[name] = module
        return j

    def _partial_path(self, source: Path, module: str) -> Path | None:
        """The partial's file; only inside the docs folder (or, for `@site/`, the site)."""
        if module.startswith("@site/"):  # Docusaurus: the site folder (the docs' parent)
            rest = module[len("@site/") :]
            candidates, base = [self.root.parent / rest, self.root / rest], self.root.parent
        else:
            candidates, base = [source.parent / module], self.root
        return next(
            (c.resolve() for c in candidates if c.is_file() and within(c, base)),
            None,
        )

    def _take_export(self, lines, i) -> int:
        depth, j = 0, i
        while j < len(lines):
            depth += sum(lines[j].count(c) for c in "{([") - sum(lines[j].count(c) for c in "})]")
            j += 1
            if depth <= 0:
                break
        self.warn(f"line {self._line(i)}: MDX export statement dropped (code does not run here)")
        return j

    # JSX components and HTML blocks

    def _take_component(self, lines, i, source, components, segments, flush) -> int | None:
        """Handle a component (or <details>) that starts a line; None leaves the line as text."""
        rest = "".join(lines[i:])
        offset = len(rest) - len(rest.lstrip(" \t"))
        tag = scan_tag(rest, offset)
        if tag is None:
            return None
        name = tag.name
        line_of = _line_counter(rest)
        if tag.closing:
            if name[0].isupper():
                flush()  # a stray closing tag of something already handled
                return i + line_of(tag.end) + 1 if _rest_of_line_blank(rest, tag.end) else None
            return None
        if tag.self_closing:
            inner, after = "", tag.end
        else:
            close = find_close(rest, name, tag.end)
            if close is None:
                if name == "details":
                    return None
                flush()
                self.warn(f"line {self._line(i)}: <{name}> is never closed; the tag was dropped")
                return i + line_of(tag.end) + 1
            inner, after = rest[tag.end : close[0]], close[1]
        if not _rest_of_line_blank(rest, after):
            return None  # used inside a line of text: the inline pass handles it
        flush()
        end_line = i + line_of(after - 1 if after else 0) + 1
        inner_line0 = self._line0 + i + line_of(tag.end)
        self._component(name, tag.attrs, inner, source, components, segments, i, inner_line0)
        return end_line

    def _component(self, name, attrs, inner, source, components, segments, i, line0) -> None:
        line = f"line {self._line(i)}: "
        if name == "details" or name == "Details":
            summary = re.search(r"<summary[^>]*>(.*?)</summary>", inner, re.DOTALL | re.I)
            title = _plain(summary.group(1)) if summary else "Details"
            if summary:
                inner = inner[: summary.start()] + inner[summary.end() :]
            children = self._parse(textwrap.dedent(inner), source, components, line0)
            segments.append(Callout("note", title[:120], children, source))
        elif name in components.partials:
            segments.extend(self._inline_partial(components.partials[name], name, attrs))
        elif name in components.missing_partials:
            pass  # already reported at the import statement
        elif name == "Tabs":
            segments.append(self._tabs(attrs, inner, source, components, i, line0))
        elif name == "Admonition":
            kind = attrs.get("type") or "note"
            segments.append(self._callout(kind, attrs.get("title", ""), inner, source, components))
        elif name == "CodeBlock":
            code = textwrap.dedent(inner).strip("\n")
            if code.startswith("{`") and code.endswith("`}"):
                code = code[2:-2].strip("\n")
            meta = f'title="{attrs["title"]}"' if attrs.get("title") else ""
            segments.append(Code(attrs.get("language", ""), meta, code, source))
        elif name == "Steps":
            segments.append(self._steps(inner, source, components, i, line0))
        elif name == "Video":
            url, title = attrs.get("url") or attrs.get("src") or "", attrs.get("title", "")
            if not url or not title:
                self.warn(f"{line}<Video> needs a url and a title; dropped")
            else:
                segments.append(Embed("video", {"url": url, "title": title[:200]}, source))
        elif name == "Transcript":
            paragraphs = re.split(r"\n[ \t]*\n", textwrap.dedent(inner).strip())
            text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
            segments.append(Transcript(text, source))
        elif icon_text(name) is not None:
            segments.append(Text(icon_text(name) + "\n", source))
        elif name in SITE_COMPONENTS:
            self.warn(f"{line}<{name}> dropped: {SITE_COMPONENTS[name]}")
        else:
            children = (
                self._parse(textwrap.dedent(inner), source, components, line0) if inner else []
            )
            has_text = any(not isinstance(s, Text) or s.markdown.strip() for s in children)
            if has_text:
                self.warn(f"{line}unknown component <{name}> dropped; its text was kept")
                segments.extend(children)
            else:
                self.warn(f"{line}unknown component <{name}> dropped")

    def _tabs(self, attrs, inner, source, components, i, line0) -> Tabs:
        labels = dict(_tab_values(attrs.get("values", "")))
        tabs = Tabs(source=source, title=attrs.get("title", ""))
        for item_attrs, children in self._items("TabItem", inner, source, components, line0):
            label = item_attrs.get("label") or labels.get(item_attrs.get("value", "")) or ""
            label = label or item_attrs.get("value", "") or f"Tab {len(tabs.items) + 1}"
            tabs.items.append((label, children))
        if not tabs.items:
            self.warn(f"line {self._line(i)}: <Tabs> without any <TabItem>; dropped")
        return tabs

    def _steps(self, inner, source, components, i, line0) -> Steps:
        """`<Steps>` holding `<Step title="...">` items (as Mintlify writes a procedure)."""
        steps = Steps(source=source)
        for item_attrs, children in self._items("Step", inner, source, components, line0):
            title = item_attrs.get("title", "").strip()
            if not title:
                self.warn(f"line {self._line(i)}: a <Step> without a title is named by number")
                title = f"Step {len(steps.items) + 1}"
            steps.items.append((title, children))
        if not steps.items:
            self.warn(f"line {self._line(i)}: <Steps> without any <Step>; dropped")
        return steps

    def _items(self, name, inner, source, components, line0) -> list[tuple[dict, list]]:
        """(attributes, segments) of each `<name ...>...</name>` child in `inner`."""
        items = []
        pos = 0
        opening = re.compile(rf"<{name}(?=[\s/>])")
        while True:
            match = opening.search(inner, pos)
            if not match:
                break
            tag = scan_tag(inner, match.start())
            if tag is None:
                break
            if tag.self_closing:
                pos = tag.end
                continue
            close = find_close(inner, name, tag.end)
            body = inner[tag.end : close[0]] if close else inner[tag.end :]
            body_line0 = line0 + inner.count("\n", 0, tag.end) + len(body) - len(body.lstrip("\n"))
            children = self._parse(
                textwrap.dedent(body.strip("\n")), source, components, body_line0
            )
            items.append((tag.attrs, children))
            pos = close[1] if close else len(inner)
        return items

    def _snippets(self, text: str, depth: int = 0) -> str:
        """Inline MkDocs (pymdownx) snippets: `--8<-- "file.md"` lines (also inside code
        fences, where they bring in code files), block lists between two `--8<--` lines and
        line ranges (`file.py:3:10`). A `;--8<--` line is escaped and dropped."""
        if "--8<--" not in text:
            return text

        def load(name: str, indent: str) -> str:
            name = name.strip().strip("\"'")
            if not name or name.startswith(";"):
                return ""
            path_part, start, end = name, None, None
            ranged = re.fullmatch(r"(.+?):(\d*)(?::(\d*))?", name)
            if ranged and not (self.snippet_bases[0] / name).is_file():
                path_part = ranged.group(1)
                start = int(ranged.group(2)) if ranged.group(2) else None
                end = int(ranged.group(3)) if ranged.group(3) else None
            for base in self.snippet_bases:
                candidate = base / path_part
                if candidate.is_file() and within(candidate, *self.snippet_bases):
                    try:
                        content = candidate.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError) as exc:
                        self.warn(f"snippet '{name}' cannot be read ({exc}); left out")
                        return ""
                    lines = content.splitlines()
                    if start is not None or end is not None:
                        lines = lines[(start or 1) - 1 : end]
                    content = "\n".join(lines)
                    if depth < 4:
                        content = self._snippets(content, depth + 1)
                    return "\n".join(
                        indent + line if line else line for line in content.split("\n")
                    )
            self.warn(f"snippet '{name}' not found beside the docs; left out")
            return ""

        def block(match: re.Match) -> str:
            names = [line for line in match["names"].splitlines() if line.strip()]
            return "\n".join(load(name, match["indent"]) for name in names)

        text = _SNIPPET_BLOCK.sub(block, text)
        return _SNIPPET_LINE.sub(
            lambda m: "" if m["escaped"] else load(m["name"], m["indent"]), text
        )

    def _inline_partial(self, path: Path, name: str, props: dict | None = None) -> list:
        if path in self._stack:
            self.warn(f"partial {self._rel(path)} includes itself (via <{name} />); not inlined")
            return []
        text = self.read_partial(path)
        if text is None:
            return []
        props = {key: value for key, value in (props or {}).items() if isinstance(value, str)}
        self._stack.append(path)
        try:
            text = _outside_fences(text, _strip_comments)
            text = _outside_fences(text, lambda part: self._expressions(part, props))
            return self._parse(text, path, _Components())
        finally:
            self._stack.pop()

    def _expressions(self, text: str, props: dict) -> str:
        """Evaluate the JSX expressions a docs page uses for text: `{props.name}` (a partial's
        property), template strings (`{`mkdir ${props.dir}`}`, also joined with `+`) and simple
        ternaries on a property. Any other expression naming `props` is left out with a
        warning, so no source ever reaches the page."""

        def prop(name: str, code: bool) -> str:
            if name in props:
                return props[name]
            self.warn(f"property '{name}' is not given to this partial; shown as <{name}>")
            return f"<{name}>" if code else name

        def template(literal: str, code: bool) -> str:
            body = literal[1:-1]
            if literal[0] != "`":
                return _js_unescape(body)

            def placeholder(match: re.Match) -> str:
                expression = match.group(1).strip()
                plain = re.fullmatch(r"props\.(\w+)", expression)
                encoded = re.fullmatch(r"encodeURIComponent\(\s*props\.(\w+)\s*\)", expression)
                if plain:
                    return prop(plain.group(1), code)
                if encoded:
                    return quote(prop(encoded.group(1), code), safe="")
                self.warn(f"expression '${{{expression[:40]}}}' cannot be evaluated; left out")
                return ""

            return _js_unescape(re.sub(r"\$\{([^{}]*)\}", placeholder, body))

        def joined(expression: str, code: bool) -> str:
            return "".join(template(part, code) for part in _STRING_PART.findall(expression))

        def attribute(match: re.Match) -> str:
            value = joined(match["expr"], False)
            return f'{match["attr"]}="{value.replace(chr(34), "&quot;")}"'

        def standalone(match: re.Match) -> str:
            return joined(match["expr"], True)

        def simple(match: re.Match) -> str:
            value = prop(match.group(2), False)
            return f'="{value}"' if match.group(1) else value

        text = _JSX_ATTR_STRING.sub(attribute, text)
        text = _JSX_STRING_BLOCK.sub(standalone, text)
        text = _PROPS_TERNARY.sub(lambda match: _ternary(match, props), text)
        text = re.sub(r"(=)?\{\s*props\.(\w+)\s*\}", simple, text)

        def other(match: re.Match) -> str:
            self.warn(f"expression '{match.group(0)[:60]}' cannot be evaluated; left out")
            return ""

        return _OTHER_PROPS.sub(other, text)

    def _jsx_sources(self, markdown: str, components: _Components) -> str:
        """JSX image sources -> plain attributes: `src={pic}` (an imported image),
        `src={require('./x.png').default}`, `src={useBaseUrl('/img/x.png')}`."""

        def replace(match: re.Match) -> str:
            value = match["req"] or match["base"] or match["tpl"]
            if value is None:
                if match["attr"] == "href":
                    return match.group(0)
                value = components.images.get(match["name"])
                if value is None:
                    self.warn(
                        f"image source {{{match['name']}}} is not an imported image; left out"
                    )
                    value = ""
            return f'{match["attr"]}="{value}"'

        def transform(text: str) -> str:
            return _JSX_SOURCE.sub(replace, text)

        return _outside_fences(markdown, transform)

    def _inline_markup(self, text: str) -> str:
        """Escaped tags (`\\<div\\>`: the author shows a tag name) become code, so a reader sees
        `<div>` as code and no page text looks like raw markup; icon shortcodes become text."""

        def escaped(match: re.Match) -> str:
            if _in_code_span(text, match.start()):
                return match.group(0)
            return f"`<{match['name']}>`"

        def icon(match: re.Match) -> str:
            if _in_code_span(text, match.start()):
                return match.group(0)
            name = match["name"].lower()
            mapped = icon_text(name)
            if mapped is not None:
                return mapped
            if name in EMOJI_TEXT:
                return EMOJI_TEXT[name]
            if match["family"]:
                self.warn(f"icon ':{name}:' dropped (icons are not imported)")
                return ""
            return match.group(0)

        def entities(match: re.Match) -> str:
            if _in_code_span(text, match.start()):
                return match.group(0)
            source = match.group(0).replace("&lt;", "<").replace("&gt;", ">")
            return f"`{source}`"

        text = _ESCAPED_TAG.sub(escaped, text)
        text = _ENTITY_TAGS.sub(entities, text)
        return _ICON_SHORTCODE.sub(icon, text)

    def _strip_inline_jsx(self, markdown: str, components: _Components) -> str:
        """Remove JSX tags (capitalised names) inside Markdown text, keeping what they wrap."""

        def strip(text: str) -> str:
            out, pos = [], 0
            for match in re.finditer(r"</?[A-Z][\w.]*(?=[\s/>])", text):
                if match.start() < pos:
                    continue
                tag = scan_tag(text, match.start())
                if tag is None:
                    continue
                if _in_code_span(text, match.start()):
                    continue
                out.append(text[pos : match.start()])
                pos = tag.end
                icon = icon_text(tag.name) if tag.name not in components.partials else None
                if icon is not None:
                    if not tag.closing:
                        out.append(icon)
                    continue
                if not tag.closing:
                    if tag.name in components.partials:
                        self.warn(
                            f"partial <{tag.name} /> is used inside a paragraph; only partials "
                            "on a line of their own are inlined"
                        )
                    elif tag.self_closing:
                        self.warn(f"unknown component <{tag.name}> dropped")
                    else:
                        self.warn(f"unknown component <{tag.name}> dropped; its text was kept")
            out.append(text[pos:])
            return "".join(out)

        return _outside_fences(markdown, strip)


# --- helpers ----------------------------------------------------------------------------------


@dataclass
class Tag:
    name: str
    attrs: dict
    start: int
    end: int  # index after '>'
    closing: bool
    self_closing: bool


def scan_tag(text: str, pos: int) -> Tag | None:
    """Scan the JSX/HTML tag starting at text[pos] ('<'), honouring quotes and {expressions}."""
    match = _TAG_START.match(text, pos)
    if not match:
        return None
    i, depth, quote = match.end(), 0, None
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == ">" and depth <= 0:
            raw = text[match.end() : i]
            self_closing = raw.rstrip().endswith("/")
            return Tag(
                name=match["name"],
                attrs=_attrs(raw.rstrip().rstrip("/")),
                start=pos,
                end=i + 1,
                closing=bool(match["close"]),
                self_closing=self_closing,
            )
        elif char == "<" and depth <= 0 and quote is None:
            return None  # not a tag after all (e.g. "a <b and c <d")
        i += 1
    return None


def find_close(text: str, name: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the `</name>` matching an opening tag that ended at `start`."""
    fences = _fence_ranges(text)
    pattern = re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])")
    depth, pos = 0, start
    while True:
        match = pattern.search(text, pos)
        if not match:
            return None
        if any(a <= match.start() < b for a, b in fences):
            pos = match.end()
            continue
        tag = scan_tag(text, match.start())
        if tag is None:
            pos = match.end()
            continue
        if tag.closing:
            if depth == 0:
                return tag.start, tag.end
            depth -= 1
        elif not tag.self_closing:
            depth += 1
        pos = tag.end


def _attrs(raw: str) -> dict:
    attrs = {}
    for match in _ATTR.finditer(raw):
        value = match["dq"] if match["dq"] is not None else match["sq"]
        if value is None and match["expr"] is not None:
            value = match["expr"].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
                value = value[1:-1]
        if value is None:
            value = match["bare"] if match["bare"] is not None else "true"
        attrs[match["name"]] = value
    return attrs


def _tab_values(expr: str) -> list[tuple[str, str]]:
    """Old Docusaurus `values={[{label: 'Python', value: 'py'}, ...]}` -> [(value, label)]."""
    pairs = []
    for obj in re.findall(r"\{([^{}]*)\}", expr):
        label = re.search(r"label\s*:\s*['\"]([^'\"]*)['\"]", obj)
        value = re.search(r"value\s*:\s*['\"]([^'\"]*)['\"]", obj)
        if label and value:
            pairs.append((value.group(1), label.group(1)))
    return pairs


def _imported_names(clause: str) -> list[str]:
    clause = clause.strip()
    names = []
    default = re.match(r"^([A-Za-z_$][\w$]*)", clause)
    if default:
        names.append(default.group(1))
    star = re.search(r"\*\s+as\s+([A-Za-z_$][\w$]*)", clause)
    if star:
        names.append(star.group(1))
    braces = re.search(r"\{(.*)\}", clause, re.DOTALL)
    if braces:
        for part in braces.group(1).split(","):
            part = part.strip()
            if part:
                names.append(re.split(r"\s+as\s+", part)[-1].strip())
    return names


def mkdocs_admonition_head(rest: str, *, has_body: bool) -> tuple[str | None, str, str]:
    """(kind, title, first body text) of an MkDocs admonition line after `!!!`.

    `tip "Title"` is the documented form; real trees also write `tip Some text` (the text is
    the body, or the title when an indented body follows), `failure "Title" Some text`, titles
    with unbalanced or inner quotes, and `!!! A sentence` without a type (kind None: a note
    holding the sentence)."""
    kind, _, after = rest.partition(" ")
    after = after.strip()
    if kind.endswith(":") and kind[:-1].lower() in CALLOUT_KIND_ALIASES:  # `!!! warning: text`
        kind = kind[:-1]
    if kind.lower() not in CALLOUT_KIND_ALIASES and not (
        re.fullmatch(r"[a-z][\w-]*", kind) and (not after or after[0] in "\"'")
    ):
        return None, "", rest.strip()
    if not after:
        return kind, "", ""
    if after[0] in "\"'":
        quote = after[0]
        closing = after.find(quote, 1)
        last = after.rfind(quote)
        if closing != -1 and not after[closing + 1 :].strip():
            return kind, after[1:closing], ""
        if last > 0 and not after[last + 1 :].strip():  # "A "quoted" word" / "text.""
            title = after[1:last].rstrip(quote)
            return (kind, title, "") if len(title) <= 120 else (kind, "", title)
        if closing != -1:  # "Title" followed by the body's first sentence
            return kind, after[1:closing], after[closing + 1 :].strip()
        return kind, "", after.lstrip(quote)
    if has_body and len(after) <= 120:  # `!!! example of following redirects` + its body
        return kind, f"{kind[:1].upper()}{kind[1:]} {after}", ""
    return kind, "", after


def _admonition_title(rest: str) -> str:
    rest = rest.strip()
    bracket = re.match(r"^\[(.*?)\]", rest)
    if bracket:
        return bracket.group(1).strip()
    braces = re.match(r"^\{(.*)\}$", rest)
    if braces:
        title = _TITLE_META.search(braces.group(1))
        return next((g for g in title.groups() if g is not None), "") if title else ""
    return rest


def _dedent_line(line: str, indent: int) -> str:
    expanded = line.expandtabs(4)
    leading = len(expanded) - len(expanded.lstrip(" "))
    return expanded[min(indent, leading) :]


def _fence_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks (so markup inside code is left alone)."""
    ranges, pos, open_at, open_fence = [], 0, None, None
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if open_fence is None:
            match = _FENCE_OPEN.match(stripped)
            if match and not (match["fence"][0] == "`" and "`" in match["info"]):
                open_at, open_fence = pos, match["fence"]
        elif _fence_closer(open_fence).match(stripped):
            ranges.append((open_at, pos + len(line)))
            open_at, open_fence = None, None
        pos += len(line)
    if open_at is not None:
        ranges.append((open_at, len(text)))
    return ranges


def _fence_closer(fence: str) -> re.Pattern:
    return re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")


def _outside_fences(text: str, transform: Callable[[str], str]) -> str:
    out, pos = [], 0
    for start, end in _fence_ranges(text):
        out.append(transform(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(transform(text[pos:]))
    return "".join(out)


def _strip_comments(text: str) -> str:
    return _HTML_COMMENT.sub("", _MDX_COMMENT.sub("", text))


def _in_code_span(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return text[line_start:pos].count("`") % 2 == 1


def _line_counter(text: str) -> Callable[[int], int]:
    return lambda index: text.count("\n", 0, index)


def _rest_of_line_blank(text: str, index: int) -> bool:
    end = text.find("\n", index)
    return not text[index : end if end != -1 else len(text)].strip()


def _js_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _ternary(match: re.Match, props: dict) -> str:
    """The branch a `{props.x ? "a" : "b"}` (or `props.x === "v" ? ...`) expression picks."""
    actual = props.get(match["name"])
    if match["op"] is None:
        return match["yes"] if actual not in (None, "", "false") else match["no"]
    equal = actual == match["value"]
    return match["yes"] if equal == (match["op"] in ("==", "===")) else match["no"]
