"""The forum's ONE Markdown renderer and ONE sanitiser policy.

Posts are written in Markdown and stored twice: the source, and the HTML this module produces
(forum.services stores it; pages never render on read). The pipeline is

1. python-markdown with fenced code (highlighted by Pygments into the site's `.highlight`
   classes), tables, sane lists and blockquotes. Raw HTML in the source is *not* passed through:
   it is shown as text. Headings are demoted so a post never competes with the page's <h1>/<h2>.
2. bleach.clean against the allow-list below (defence in depth: whatever step 1 emits, only these
   tags, attributes and URL schemes survive; `style`, event handlers, `javascript:`/`data:`/
   `vbscript:` URLs never do).
   Bare URLs in running text are autolinked by a small inline pattern (never inside code).
3. A final pass gives every link rel="nofollow ugc noopener" (and drops unsafe ones).

Members who may not post links or images yet (new members) get `allow_links=False` /
`allow_images=False`: links become plain text and images disappear.

Change anything in the policy -> bump POLICY_VERSION; `manage.py forum_rerender` re-renders the
stored HTML of every post rendered under an older version.
"""

from __future__ import annotations

import html as html_module
import re
from functools import partial
from xml.etree.ElementTree import Element

import bleach
import markdown
from bleach.linkifier import Linker
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

POLICY_VERSION = 1

LINK_REL = "nofollow ugc noopener"
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
ALLOWED_IMAGE_PROTOCOLS = frozenset({"http", "https"})

BASE_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "del",
        "s",
        "sup",
        "sub",
        "code",
        "pre",
        "kbd",
        "blockquote",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "span",
    }
)

# Pygments token classes are 1-3 lowercase letters/digits ("k", "nf", "c1", "err" ...).
_TOKEN_CLASS = re.compile(r"^[a-z][a-z0-9]{0,3}$")
_CODE_CLASS = re.compile(r"^language-[a-z0-9_+-]{1,30}$")


def _class_filter(allowed, value: str) -> bool:
    return all(allowed(name) for name in value.split())


def _div_attr(tag, name, value):
    return name == "class" and value == "highlight"


def _span_attr(tag, name, value):
    return name == "class" and _class_filter(lambda c: bool(_TOKEN_CLASS.match(c)), value)


def _code_attr(tag, name, value):
    return name == "class" and _class_filter(lambda c: bool(_CODE_CLASS.match(c)), value)


def _ol_attr(tag, name, value):
    return name == "start" and value.isdigit() and len(value) < 7


def _link_attr(tag, name, value):
    return name in {"href", "title", "rel"}


def _img_attr(tag, name, value):
    if name == "src":
        scheme = value.split(":", 1)[0].lower().strip() if ":" in value else ""
        return scheme in ALLOWED_IMAGE_PROTOCOLS
    return name in {"alt", "title"}


ATTRIBUTES = {
    "a": _link_attr,
    "img": _img_attr,
    "div": _div_attr,
    "span": _span_attr,
    "code": _code_attr,
    "ol": _ol_attr,
}


class _DemoteHeadings(Treeprocessor):
    """h1 -> h3, h2 -> h4 ... (capped at h6): a post's headings sit below the page's."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"


# A bare URL in running text (not in code: inline patterns never see code spans or blocks).
BARE_URL_RE = r"(?<![\w/@.:\-])((?:https?://|www\.)[^\s<>\"'`\[\]]*[^\s<>\"'`\[\].,;:!?)])"


class _BareUrlProcessor(InlineProcessor):
    """Autolinks bare URLs ("see https://example.com") like GitHub-flavoured Markdown."""

    def handleMatch(self, m, data):  # noqa: N802 - python-markdown's API name
        url = m.group(1)
        element = Element("a")
        element.set("href", url if "://" in url else f"https://{url}")
        element.text = AtomicString(url)
        return element, m.start(0), m.end(0)


class _ForumExtension(Extension):
    """Raw HTML off (shown as text), bare URLs autolinked, headings demoted."""

    def extendMarkdown(self, md):  # noqa: N802 - python-markdown's API name
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_BareUrlProcessor(BARE_URL_RE, md), "forum_bare_url", 115)
        md.treeprocessors.register(_DemoteHeadings(md), "forum_demote_headings", 5)


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "fenced_code",
            "codehilite",
            "tables",
            "sane_lists",
            _ForumExtension(),
        ],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False, "use_pygments": True}
        },
        output_format="html",
    )


_NEVER = re.compile(r"(?!x)x")


def _set_rel(attrs, new=False):
    """Linkify callback: every link gets our rel; links without a safe href are dropped."""
    href_key = (None, "href")
    href = attrs.get(href_key, "")
    if not href or href.lower().startswith(("javascript:", "data:", "vbscript:")):
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


def sanitize_html(html: str, *, allow_links: bool = True, allow_images: bool = True) -> str:
    """Clean `html` against the forum's allow-list (also used for anything else we display)."""
    tags = set(BASE_TAGS)
    if allow_links:
        tags.add("a")
    if allow_images:
        tags.add("img")
    cleaned = bleach.clean(
        html,
        tags=tags,
        attributes=ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    if allow_links:
        # Only the callbacks are wanted (rel on every existing link): linkifying itself happens
        # in Markdown, where code is known. (bleach's skip_tags double-escapes code content.)
        linker = Linker(callbacks=[_set_rel], url_re=_NEVER, email_re=_NEVER, parse_email=False)
        cleaned = linker.linkify(cleaned)
    return cleaned


def render_markdown(text: str, *, allow_links: bool = True, allow_images: bool = True) -> str:
    """Render forum Markdown to sanitised HTML (safe to mark safe in templates)."""
    html = _new_markdown().convert(text or "")
    return sanitize_html(html, allow_links=allow_links, allow_images=allow_images)


render_restricted = partial(render_markdown, allow_links=False, allow_images=False)


def plain_text(text: str, limit: int | None = None) -> str:
    """The Markdown source reduced to plain text (for feeds' summaries, snippets, e-mails)."""
    html = _new_markdown().convert(text or "")
    stripped = bleach.clean(html, tags=set(), strip=True, strip_comments=True)
    result = re.sub(r"\s+", " ", html_module.unescape(stripped)).strip()
    if limit and len(result) > limit:
        result = result[: limit - 1].rsplit(" ", 1)[0] + "…"
    return result
