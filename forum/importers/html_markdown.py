"""HTML of an old forum's posts as forum Markdown (markdownify, adjusted to what
python-markdown - and so forum.markdown - reads): the imported Markdown is what gets stored and
rendered, like every post's.

Raw HTML is not kept (the forum shows it as text); headings are demoted by the renderer;
`<sup>`/`<sub>` have no Markdown and come out as ^x^ / ~x~.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin

from markdownify import MarkdownConverter


class _Converter(MarkdownConverter):
    """markdownify with the site's relative links and images made absolute (they would point
    into this site otherwise) and URLs safe inside Markdown link syntax."""

    def __init__(self, site_url: str, **options):
        self.site_url = site_url
        super().__init__(**options)

    def _absolute(self, url: str) -> str:
        url = urljoin(self.site_url + "/", (url or "").strip())
        return quote(url, safe=":/?#[]@!$&'()*+,;=%~")

    def convert_a(self, el, text, parent_tags):
        if el.get("href"):
            el["href"] = self._absolute(el["href"])
        return super().convert_a(el, text, parent_tags)

    def convert_pre(self, el, text, parent_tags):
        # python-markdown only sees fenced code at the top level: inside a quote or a list
        # item, code must be an indented block to stay code.
        if parent_tags & {"blockquote", "li"} and text.strip("\n"):
            lines = text.strip("\n").split("\n")
            return "\n\n" + "\n".join("    " + line for line in lines) + "\n\n"
        return super().convert_pre(el, text, parent_tags)

    def convert_blockquote(self, el, text, parent_tags):
        # markdownify strips the quote's leading spaces, which would un-indent a code block
        # that starts it; only blank lines are trimmed here.
        text = (text or "").strip("\r\n").rstrip()
        if "_inline" in parent_tags:
            return " " + text.strip() + " "
        if not text.strip():
            return "\n"
        quoted = "\n".join(("> " + line) if line.strip() else ">" for line in text.split("\n"))
        return "\n\n" + quoted + "\n\n"

    def convert_li(self, el, text, parent_tags):
        # python-markdown wants a list item's further blocks (paragraphs, quotes, code, nested
        # lists) indented by four spaces; markdownify indents by the bullet's width.
        text = (text or "").strip("\r\n").rstrip()
        if not text.strip():
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = parent.get("start")
            start = int(start) if start and str(start).isnumeric() else 1
            bullet = f"{start + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        bullet = (bullet + " ").ljust(4)
        lines = text.lstrip(" ").split("\n")
        body = [lines[0]] + [("    " + line) if line.strip() else "" for line in lines[1:]]
        # An item of several blocks ends with a blank line, or its last line (a quote's,
        # say) would lazily swallow the next item.
        end = "\n\n" if "\n\n" in text else "\n"
        return bullet + "\n".join(body) + end

    def convert_img(self, el, text, parent_tags):
        if el.get("src"):
            el["src"] = self._absolute(el["src"])
        return super().convert_img(el, text, parent_tags)


def html_to_markdown(html: str, site_url: str) -> str:
    """A Stack Exchange body (HTML) as forum Markdown."""
    converter = _Converter(
        site_url,
        heading_style="ATX",
        bullets="-",
        sup_symbol="^",
        sub_symbol="~",
        autolinks=True,
    )
    # Whitespace around <br> would become a line of its own: a paragraph break, not a line break.
    html = re.sub(r"\s*(<br\s*/?>)\s*", r"\1", html or "")
    text = converter.convert(html)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
