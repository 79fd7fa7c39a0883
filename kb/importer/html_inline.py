"""Inline HTML helpers for the Markdown-to-blocks converter: which tags are inline, escaping,
grouping inline runs, and Unicode super/subscripts (rich text has no <sup>/<sub>)."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction, Tag

from resourcecenter.text import collapse_whitespace

INLINE_TAGS = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "br",
    "cite",
    "code",
    "data",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "img",
    "ins",
    "kbd",
    "label",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "time",
    "tt",
    "u",
    "var",
    "wbr",
}
CODE_TAGS = {"code", "kbd", "samp", "tt", "var"}


@dataclass
class InlineImage:
    value: dict


def escape(text: str) -> str:
    return html_lib.escape(text, quote=False)


# Rich text has no superscript: m<sup>3</sup>, CO<sub>2</sub>, 10<sup>-6</sup> read the same in
# Unicode. Text without Unicode forms (a footnote's [1], TM) stays plain, in brackets for sup.
SUPERSCRIPT = str.maketrans("0123456789+-=()ni−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ⁻")
SUBSCRIPT = str.maketrans("0123456789+-=()−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎₋")


def scripted(text: str, table: dict) -> str:
    return escape(script_text(text, table))


def script_text(text: str, table: dict) -> str:
    text = collapse_whitespace(text)
    converted = text.translate(table)
    if not any(a == b for a, b in zip(text, converted, strict=True)):
        return converted
    return text


def plain_alt(alt: str) -> str:
    """An image's alt text as the plain text it is: authors write `![I<sup>2</sup>C wiring]`,
    which a page must show as "I²C wiring" (a remote image is linked by this text), not as
    tags."""
    if "<" not in alt:
        return collapse_whitespace(alt)
    soup = BeautifulSoup(alt, "html.parser")
    for node in soup.find_all(("sup", "sub")):
        table = SUPERSCRIPT if node.name == "sup" else SUBSCRIPT
        node.replace_with(script_text(node.get_text(), table))
    return collapse_whitespace(soup.get_text())


def is_inline(node) -> bool:
    if isinstance(node, Comment | Doctype | ProcessingInstruction):
        return False
    if isinstance(node, NavigableString):
        return True
    return isinstance(node, Tag) and node.name.lower() in INLINE_TAGS and node.name != "iframe"


def wrap_runs(parts: list, opening: str, closing: str) -> list:
    """Wrap runs of text in `parts` in a tag; images split the runs."""
    out = []
    for part in group_runs(parts):
        if isinstance(part, InlineImage):
            out.append(part)
        elif part.strip():
            out.append(f"{opening}{part}{closing}")
        else:
            out.append(part)
    return out


def group_runs(parts: list) -> list:
    grouped: list = []
    for part in parts:
        if isinstance(part, str) and grouped and isinstance(grouped[-1], str):
            grouped[-1] += part
        else:
            grouped.append(part)
    return grouped


def tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r"^(<br/>\s*)+|(\s*<br/>)+$", "", text)
    return text.strip()


def has_markup(html: str) -> bool:
    """True when inline HTML carries formatting or links (anything but text and <br/>)."""
    return bool(re.search(r"<(?!br/>)[a-z]", html))


def has_text(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>", "", html).strip())
