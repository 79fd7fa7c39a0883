"""Low-level scanning of MDX text: JSX/HTML tags and their attributes, fenced code ranges,
code spans and line positions. Pure functions over strings; nothing here warns."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_TAG_START = re.compile(r"<(?P<close>/)?(?P<name>[A-Za-z][\w.:-]*)")
_ATTR = re.compile(
    r"""(?P<name>[A-Za-z_][\w-]*)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|\{(?P<expr>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}|(?P<bare>[^\s>/]+)))?"""
)


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
    fences = fence_ranges(text)
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


def dedent_line(line: str, indent: int) -> str:
    expanded = line.expandtabs(4)
    leading = len(expanded) - len(expanded.lstrip(" "))
    return expanded[min(indent, leading) :]


def fence_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks (so markup inside code is left alone)."""
    ranges, pos, open_at, open_fence = [], 0, None, None
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if open_fence is None:
            match = FENCE_OPEN.match(stripped)
            if match and not (match["fence"][0] == "`" and "`" in match["info"]):
                open_at, open_fence = pos, match["fence"]
        elif fence_closer(open_fence).match(stripped):
            ranges.append((open_at, pos + len(line)))
            open_at, open_fence = None, None
        pos += len(line)
    if open_at is not None:
        ranges.append((open_at, len(text)))
    return ranges


def fence_closer(fence: str) -> re.Pattern:
    return re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")


def outside_fences(text: str, transform: Callable[[str], str]) -> str:
    out, pos = [], 0
    for start, end in fence_ranges(text):
        out.append(transform(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(transform(text[pos:]))
    return "".join(out)


def in_code_span(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return text[line_start:pos].count("`") % 2 == 1


def line_counter(text: str) -> Callable[[int], int]:
    return lambda index: text.count("\n", 0, index)


def rest_of_line_blank(text: str, index: int) -> bool:
    end = text.find("\n", index)
    return not text[index : end if end != -1 else len(text)].strip()
