"""Split a Markdown/MDX document into segments the block builder understands.

Python-Markdown knows nothing of fenced code meta (`title="app.py"`), admonitions (`:::tip`,
`!!! tip`, `> [!TIP]`), Docusaurus `<Tabs>`/`<TabItem>`, MDX `import`/`export` statements,
partials or JSX components. This scanner takes those out first, line by line, and leaves plain
Markdown `Text` segments for Python-Markdown. It never raises on odd input: anything it cannot
use is dropped with a warning, never passed on as raw markup.

This module holds the line scanner and the Markdown extensions (fences, admonitions, tabs,
alerts); beside it: `mdx_segments` (what it returns), `mdx_components` (MDX statements and
JSX components), `mdx_text` (text rewriting) and `mdx_scan` (tag and fence scanning).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from kb.importer.mdx_components import Components, ComponentsMixin
from kb.importer.mdx_scan import FENCE_OPEN, dedent_line, fence_closer, outside_fences
from kb.importer.mdx_segments import CALLOUT_KIND_ALIASES, TITLE_META, Callout, Code, Tabs, Text
from kb.importer.mdx_text import (
    evaluate_expressions,
    inline_markup,
    inline_snippets,
    jsx_sources,
    strip_comments,
    strip_inline_jsx,
)

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
_BLOCK_TAG_LINE = re.compile(r"^[ \t]*<(?P<name>[A-Z][\w.]*|details)(?=[\s/>]|$)")


class SegmentParser(ComponentsMixin):
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
            text = inline_snippets(text, self.snippet_bases, self.warn)
            text = outside_fences(text, strip_comments)
            text = outside_fences(text, lambda part: evaluate_expressions(part, {}, self.warn))
            return self._parse(text, source, Components(), first_line - 1)
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

    def _parse(self, text: str, source: Path, components: Components, line0: int = 0) -> list:
        saved, self._line0 = self._line0, line0
        try:
            return self._scan(text, source, components)
        finally:
            self._line0 = saved

    def _scan(self, text: str, source: Path, components: Components) -> list:
        segments: list = []
        buffer: list[str] = []

        def flush():
            if buffer:
                markdown = jsx_sources("".join(buffer), components.images, self.warn)
                markdown = strip_inline_jsx(markdown, components.partials, self.warn)
                markdown = outside_fences(markdown, lambda part: inline_markup(part, self.warn))
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
        fence = FENCE_OPEN.match(stripped)
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
        statement = self._take_statement(lines, i, source, components, flush)
        if statement is not None:
            return statement
        if _BLOCK_TAG_LINE.match(stripped):
            return self._take_component(lines, i, source, components, segments, flush)
        return None

    # fenced code

    def _take_fence(self, lines, i, fence, source, segments) -> int:
        indent = len(fence["indent"].expandtabs(4))
        closer = fence_closer(fence["fence"])
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closer.match(lines[j].rstrip("\r\n")):
            body.append(dedent_line(lines[j], indent))
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
            fence = FENCE_OPEN.match(current)
            if in_fence:
                if fence_closer(in_fence).match(current):
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
            body.append(dedent_line(current, indent))
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
        title = TITLE_META.search(braces.group(1))
        return next((g for g in title.groups() if g is not None), "") if title else ""
    return rest
