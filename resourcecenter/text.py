"""Plain text from HTML: the one helper every app uses (search documents, feeds, snippets,
imported pages, demo data).

Block-level elements (paragraphs, list items, headings, cells, <br>...) separate words; inline
elements (em, strong, a, code, span, mark...) do not, so "a<em>b</em>c" reads "abc". Entities are
unescaped, the contents of script/style/template are dropped, whitespace is collapsed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose boundaries end a word. Anything not listed is inline (joins its neighbours).
BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "img", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is never text a reader sees.
HIDDEN_ELEMENTS = frozenset({"script", "style", "template", "head", "title"})

_WHITESPACE = re.compile(r"\s+")
ELLIPSIS = "…"


def collapse_whitespace(value: str) -> str:
    """Runs of whitespace (newlines included) become one space; the ends are trimmed."""
    return _WHITESPACE.sub(" ", value or "").strip()


def truncate_words(value: str, limit: int) -> str:
    """`value` cut to at most `limit` characters on a word boundary, ending in "…" when cut."""
    if not limit or len(value) <= limit:
        return value
    head = value[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + ELLIPSIS


class _TextCollector(HTMLParser):
    def __init__(self, block_separator: str = " "):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.block_separator = block_separator

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth += 1
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(self.block_separator)

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_ELEMENTS:
            self.parts.append(self.block_separator)

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth = max(self.hidden_depth - 1, 0)
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(self.block_separator)

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def html_to_text(value: str | None, limit: int | None = None) -> str:
    """The readable text of `value` (HTML) on one line; cut on a word boundary to `limit`."""
    if not value:
        return ""
    collector = _TextCollector()
    collector.feed(str(value))
    collector.close()
    text = collapse_whitespace("".join(collector.parts))
    return truncate_words(text, limit) if limit else text


def html_to_lines(value: str | None) -> str:
    """The readable text of `value` (HTML, e.g. an e-mail) keeping its lines: each block
    element starts a line, whitespace inside a line is collapsed, blank lines come one at a time.
    """
    if not value:
        return ""
    collector = _TextCollector(block_separator="\n")
    collector.feed(str(value))
    collector.close()
    lines = [collapse_whitespace(line) for line in "".join(collector.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
