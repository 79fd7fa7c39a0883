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

@mentions of existing, active members become `<span class="mention">@handle</span>` (there is
no public profile page to link to). A tree pass after the inline patterns finds them in running
text only - never inside code spans, code blocks or links - and asks a resolver which handles
exist, ONCE per rendering (forum.selectors.mentionable_members: one query per post, however many
mentions). Unknown names stay plain text; a backslash before the @ (`\\@name`) opts out.

Change anything in the policy -> bump POLICY_VERSION; `manage.py forum_rerender` re-renders the
stored HTML of every post rendered under an older version.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterable
from contextlib import contextmanager
from xml.etree.ElementTree import Element

import bleach
import markdown
from bleach.linkifier import Linker
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from resourcecenter.text import html_to_text

POLICY_VERSION = 2  # 2: @mentions of existing members are highlighted

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


MENTION_CLASS = "mention"


def _span_attr(tag, name, value):
    # Pygments token classes, or exactly our mention marker (raw HTML never reaches bleach as
    # tags, so only the renderer itself can produce either).
    if name != "class":
        return False
    return value == MENTION_CLASS or _class_filter(lambda c: bool(_TOKEN_CLASS.match(c)), value)


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


# An @mention: "@" + a member handle (letters, digits, _ . -; ends with a letter, digit or _),
# not preceded by a word character, "@", "/" or "." (so e-mail addresses and paths are not).
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,38}[A-Za-z0-9_]|[A-Za-z0-9_])")
# Distinct handles looked up per post; further ones stay plain text (bounded query).
MAX_MENTION_LOOKUPS = 50
# Never look for mentions inside these (nor anywhere below them).
_NO_MENTION_TAGS = frozenset({"a", "code", "pre", "kbd"})

# handles (lower-cased) -> the subset of them that are mentionable members
MentionResolver = Callable[[list[str]], Collection[str]]


def _text_slots(element: Element) -> Iterable[tuple[Element, Element | None]]:
    """(parent, child) pairs naming every piece of running text outside code and links:
    (el, None) is el.text, (el, child) is child.tail."""
    if element.tag in _NO_MENTION_TAGS:
        return
    if element.text and not isinstance(element.text, AtomicString):
        yield element, None
    for child in element:
        yield from _text_slots(child)
        if child.tail:
            yield element, child


def mention_handles(text: str) -> list[str]:
    """The distinct @handles (lower-cased, in order) in running text of `text` (no lookup)."""
    with _parser(None) as (md, collector):
        md.convert(text or "")
        return collector.found


class _MentionProcessor(Treeprocessor):
    """Wraps @mentions of members the resolver knows in <span class="mention">.

    Runs after the inline patterns, so code spans/blocks and links are already elements whose
    text it skips. Records every candidate handle it saw (lower-cased) in `found`.
    """

    def __init__(self, md, resolver: MentionResolver | None):
        super().__init__(md)
        self.resolver = resolver
        self.found: list[str] = []

    def run(self, root: Element) -> None:
        slots = list(_text_slots(root))
        seen: set[str] = set()
        for parent, child in slots:
            text = parent.text if child is None else child.tail
            for match in MENTION_RE.finditer(text):
                handle = match.group(1).lower()
                if handle not in seen:
                    seen.add(handle)
                    self.found.append(handle)
        if not self.found or self.resolver is None:
            return
        known = {h.lower() for h in self.resolver(self.found[:MAX_MENTION_LOOKUPS])}
        if not known:
            return
        for parent, child in slots:
            self._wrap(parent, child, known)

    @staticmethod
    def _wrap(parent: Element, child: Element | None, known: set[str]) -> None:
        text = parent.text if child is None else child.tail
        pieces: list[Element] = []
        last = 0
        head = None
        for match in MENTION_RE.finditer(text):
            if match.group(1).lower() not in known:
                continue
            before = text[last : match.start()]
            if pieces:
                pieces[-1].tail = before
            else:
                head = before
            span = Element("span", {"class": MENTION_CLASS})
            span.text = AtomicString(match.group(0))
            pieces.append(span)
            last = match.end()
        if not pieces:
            return
        pieces[-1].tail = text[last:]
        if child is None:
            parent.text = head
            index = 0
        else:
            child.tail = head
            index = list(parent).index(child) + 1
        for offset, span in enumerate(pieces):
            parent.insert(index + offset, span)


def _default_resolver(handles: list[str]) -> Collection[str]:
    from forum.selectors import mentionable_members  # the models are not needed to render

    return mentionable_members(handles).keys()


class _ForumExtension(Extension):
    """Raw HTML off (shown as text), bare URLs autolinked, @mentions marked, headings demoted."""

    def __init__(self, mentions: MentionResolver | None = None, **kwargs):
        self.mentions = mentions
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 - python-markdown's API name
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_BareUrlProcessor(BARE_URL_RE, md), "forum_bare_url", 115)
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, "@"]  # "\@name" is an @ that is not a mention
        if self.mentions is not None:
            md.treeprocessors.register(_MentionProcessor(md, self.mentions), "forum_mentions", 15)
        md.treeprocessors.register(_DemoteHeadings(md), "forum_demote_headings", 5)


def _new_markdown(mentions: MentionResolver | None = None) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "fenced_code",
            "codehilite",
            "tables",
            "sane_lists",
            _ForumExtension(mentions=mentions),
        ],
        extension_configs={
            "codehilite": {"css_class": "highlight", "guess_lang": False, "use_pygments": True}
        },
        output_format="html",
    )


_PARSERS = threading.local()


@contextmanager
def _parser(resolver: MentionResolver | None):
    """(parser, its mention collector) for one text, marking the mentions `resolver` knows
    (None: collecting them only). Building a parser with its extensions costs more than
    converting a reply, so each thread keeps one and resets it before every text; a nested use
    (a resolver that renders) gets a fresh one."""
    kept = getattr(_PARSERS, "idle", None)
    _PARSERS.idle = None
    if kept is None:
        md = _new_markdown(mentions=None)
        collector = _MentionProcessor(md, resolver=None)
        md.treeprocessors.register(collector, "forum_mentions", 15)
        kept = (md, collector)
    md, collector = kept
    md.reset()
    collector.resolver, collector.found = resolver, []
    try:
        yield md, collector
    finally:
        collector.resolver = None
        _PARSERS.idle = kept


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


_DEFAULT = object()


def render_markdown(
    text: str,
    *,
    allow_links: bool = True,
    allow_images: bool = True,
    mentions: MentionResolver | None = _DEFAULT,  # type: ignore[assignment]
) -> str:
    """Render forum Markdown to sanitised HTML (safe to mark safe in templates).

    `mentions` decides which @handles are members: by default one database lookup per call
    (only if the text has candidates); pass a resolver of your own to reuse its answer (forum
    services keep the members for notifications), or None to leave mentions as plain text.
    """
    resolver = _default_resolver if mentions is _DEFAULT else mentions
    with _parser(resolver) as (md, _):
        html = md.convert(text or "")
    return sanitize_html(html, allow_links=allow_links, allow_images=allow_images)


def plain_text(text: str, limit: int | None = None) -> str:
    """The Markdown source reduced to plain text (for feeds' summaries, snippets, e-mails)."""
    with _parser(None) as (md, _):
        html = md.convert(text or "")
    return html_to_text(html, limit=limit)
