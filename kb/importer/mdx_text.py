"""Text rewriting the MDX scanner applies to a document before and after it splits it into
segments: MkDocs snippets, JSX string expressions and partial properties, JSX image sources,
escaped tags and icon shortcodes, inline JSX tags. Each function gets the scanner's `warn` to
report what it leaves out."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from kb.importer.mdx_scan import in_code_span, outside_fences, scan_tag
from kb.importer.mdx_segments import EMOJI_TEXT, icon_text
from kb.importer.tree import within

Warn = Callable[[str], None]

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


def inline_snippets(text: str, bases: list[Path], warn: Warn, depth: int = 0) -> str:
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
        if ranged and not (bases[0] / name).is_file():
            path_part = ranged.group(1)
            start = int(ranged.group(2)) if ranged.group(2) else None
            end = int(ranged.group(3)) if ranged.group(3) else None
        for base in bases:
            candidate = base / path_part
            if candidate.is_file() and within(candidate, *bases):
                try:
                    content = candidate.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    warn(f"snippet '{name}' cannot be read ({exc}); left out")
                    return ""
                lines = content.splitlines()
                if start is not None or end is not None:
                    lines = lines[(start or 1) - 1 : end]
                content = "\n".join(lines)
                if depth < 4:
                    content = inline_snippets(content, bases, warn, depth + 1)
                return "\n".join(indent + line if line else line for line in content.split("\n"))
        warn(f"snippet '{name}' not found beside the docs; left out")
        return ""

    def block(match: re.Match) -> str:
        names = [line for line in match["names"].splitlines() if line.strip()]
        return "\n".join(load(name, match["indent"]) for name in names)

    text = _SNIPPET_BLOCK.sub(block, text)
    return _SNIPPET_LINE.sub(lambda m: "" if m["escaped"] else load(m["name"], m["indent"]), text)


def evaluate_expressions(text: str, props: dict, warn: Warn) -> str:
    """Evaluate the JSX expressions a docs page uses for text: `{props.name}` (a partial's
    property), template strings (`{`mkdir ${props.dir}`}`, also joined with `+`) and simple
    ternaries on a property. Any other expression naming `props` is left out with a
    warning, so no source ever reaches the page."""

    def prop(name: str, code: bool) -> str:
        if name in props:
            return props[name]
        warn(f"property '{name}' is not given to this partial; shown as <{name}>")
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
            warn(f"expression '${{{expression[:40]}}}' cannot be evaluated; left out")
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
        warn(f"expression '{match.group(0)[:60]}' cannot be evaluated; left out")
        return ""

    return _OTHER_PROPS.sub(other, text)


def jsx_sources(markdown: str, images: dict[str, str], warn: Warn) -> str:
    """JSX image sources -> plain attributes: `src={pic}` (an imported image),
    `src={require('./x.png').default}`, `src={useBaseUrl('/img/x.png')}`."""

    def replace(match: re.Match) -> str:
        value = match["req"] or match["base"] or match["tpl"]
        if value is None:
            if match["attr"] == "href":
                return match.group(0)
            value = images.get(match["name"])
            if value is None:
                warn(f"image source {{{match['name']}}} is not an imported image; left out")
                value = ""
        return f'{match["attr"]}="{value}"'

    def transform(text: str) -> str:
        return _JSX_SOURCE.sub(replace, text)

    return outside_fences(markdown, transform)


def inline_markup(text: str, warn: Warn) -> str:
    """Escaped tags (`\\<div\\>`: the author shows a tag name) become code, so a reader sees
    `<div>` as code and no page text looks like raw markup; icon shortcodes become text."""

    def escaped(match: re.Match) -> str:
        if in_code_span(text, match.start()):
            return match.group(0)
        return f"`<{match['name']}>`"

    def icon(match: re.Match) -> str:
        if in_code_span(text, match.start()):
            return match.group(0)
        name = match["name"].lower()
        mapped = icon_text(name)
        if mapped is not None:
            return mapped
        if name in EMOJI_TEXT:
            return EMOJI_TEXT[name]
        if match["family"]:
            warn(f"icon ':{name}:' dropped (icons are not imported)")
            return ""
        return match.group(0)

    def entities(match: re.Match) -> str:
        if in_code_span(text, match.start()):
            return match.group(0)
        source = match.group(0).replace("&lt;", "<").replace("&gt;", ">")
        return f"`{source}`"

    text = _ESCAPED_TAG.sub(escaped, text)
    text = _ENTITY_TAGS.sub(entities, text)
    return _ICON_SHORTCODE.sub(icon, text)


def strip_inline_jsx(markdown: str, partials: dict[str, Path], warn: Warn) -> str:
    """Remove JSX tags (capitalised names) inside Markdown text, keeping what they wrap."""

    def strip(text: str) -> str:
        out, pos = [], 0
        for match in re.finditer(r"</?[A-Z][\w.]*(?=[\s/>])", text):
            if match.start() < pos:
                continue
            tag = scan_tag(text, match.start())
            if tag is None:
                continue
            if in_code_span(text, match.start()):
                continue
            out.append(text[pos : match.start()])
            pos = tag.end
            icon = icon_text(tag.name) if tag.name not in partials else None
            if icon is not None:
                if not tag.closing:
                    out.append(icon)
                continue
            if not tag.closing:
                if tag.name in partials:
                    warn(
                        f"partial <{tag.name} /> is used inside a paragraph; only partials "
                        "on a line of their own are inlined"
                    )
                elif tag.self_closing:
                    warn(f"unknown component <{tag.name}> dropped")
                else:
                    warn(f"unknown component <{tag.name}> dropped; its text was kept")
        out.append(text[pos:])
        return "".join(out)

    return outside_fences(markdown, strip)


def strip_comments(text: str) -> str:
    return _HTML_COMMENT.sub("", _MDX_COMMENT.sub("", text))


def _js_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def _ternary(match: re.Match, props: dict) -> str:
    """The branch a `{props.x ? "a" : "b"}` (or `props.x === "v" ? ...`) expression picks."""
    actual = props.get(match["name"])
    if match["op"] is None:
        return match["yes"] if actual not in (None, "", "false") else match["no"]
    equal = actual == match["value"]
    return match["yes"] if equal == (match["op"] in ("==", "===")) else match["no"]
