"""The MDX side of the segment scanner (`kb.importer.mdx.SegmentParser`): `import`/`export`
statements, the partials and images they bring in, and the JSX components (and `<details>`)
that start a line: tabs, steps, callouts, code blocks, videos, transcripts, inlined partials."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from kb.importer.mdx_scan import (
    find_close,
    line_counter,
    outside_fences,
    rest_of_line_blank,
    scan_tag,
)
from kb.importer.mdx_segments import (
    SITE_COMPONENTS,
    Callout,
    Code,
    Embed,
    Steps,
    Tabs,
    Text,
    Transcript,
    icon_text,
)
from kb.importer.mdx_text import evaluate_expressions, strip_comments
from kb.importer.tree import within

_IMPORT_START = re.compile(r"^import(?:\s|\{|$)")
_IMPORT_FROM = re.compile(
    r"^import\s+(?P<clause>.+?)\s+from\s+(?P<q>['\"])(?P<src>.+?)(?P=q)\s*;?\s*$", re.DOTALL
)
_IMPORT_BARE = re.compile(r"^import\s+(?P<q>['\"])(?P<src>.+?)(?P=q)\s*;?\s*$", re.DOTALL)
_EXPORT_START = re.compile(r"^export\s+(?:const|let|var|function|async|class|default|\{|\*)")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico")


@dataclass
class Components:
    """What the document's `import` statements bring in."""

    partials: dict[str, Path] = field(default_factory=dict)
    missing_partials: set[str] = field(default_factory=set)
    others: dict[str, str] = field(default_factory=dict)  # name -> module
    images: dict[str, str] = field(default_factory=dict)  # name -> image file


class ComponentsMixin:
    """Part of `SegmentParser`: MDX statements and components. Uses the parser's `root`,
    `read_partial`, `warn`, `_stack`, `_rel`, `_line`, `_line0`, `_parse` and `_callout`."""

    def _take_statement(self, lines, i, source, components, flush) -> int | None:
        """If line `i` is an MDX `import` or `export` statement, take it (after `flush()`ing
        the text before it) and return the index of the line after it; None otherwise."""
        line = lines[i]
        if _IMPORT_START.match(line):
            consumed = self._take_import(lines, i, source, components)
            if consumed is not None:
                flush()
                return consumed
        if _EXPORT_START.match(line):
            flush()
            return self._take_export(lines, i)
        return None

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
        line_of = line_counter(rest)
        if tag.closing:
            if name[0].isupper():
                flush()  # a stray closing tag of something already handled
                return i + line_of(tag.end) + 1 if rest_of_line_blank(rest, tag.end) else None
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
        if not rest_of_line_blank(rest, after):
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
            text = outside_fences(text, strip_comments)
            text = outside_fences(text, lambda part: evaluate_expressions(part, props, self.warn))
            return self._parse(text, path, Components())
        finally:
            self._stack.pop()


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


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
