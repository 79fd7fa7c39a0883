"""No known XSS payload survives posting: not in stored HTML, not in the rendered page."""

from html.parser import HTMLParser

from django.core.exceptions import ValidationError

import pytest

from forum.markdown import render_markdown
from forum.models import Post
from tests.forum.factories import make_reply
from tests.forum.xss_payloads import XSS_PAYLOADS

DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "srcdoc", "xlink:href"}
FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "input",
    "svg", "math", "video", "audio", "source", "details", "marquee", "body", "noscript",
}  # fmt: skip


PAGE_TAGS = frozenset({"form", "input", "details"})  # the page's own controls


class _Audit(HTMLParser):
    """Collects every element and attribute a browser would build from the HTML."""

    def __init__(self, allowed_tags=frozenset()):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.allowed_tags = allowed_tags

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                cleaned = "".join(ch for ch in value if ch > " ").lower()
                if cleaned.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def audit(html: str, allowed_tags=frozenset()) -> list[str]:
    parser = _Audit(allowed_tags)
    parser.feed(html)
    parser.close()
    problems = parser.problems
    if "<script" in html.lower():
        problems.append("literal <script")
    return problems


def test_there_are_at_least_fifty_payloads():
    assert len(set(XSS_PAYLOADS)) >= 50


def test_audit_detects_what_it_should():
    """The checker itself must catch each kind of problem (so the XSS tests can fail)."""
    assert audit('<img src="x" onerror="alert(1)">')
    assert audit('<a href=" JavaScript:alert(1)">x</a>')
    assert audit('<p style="color:red">x</p>')
    assert audit("<script>alert(1)</script>")
    assert audit('<img src="data:image/png;base64,AA">')
    assert not audit('<p>&lt;script&gt; <a href="https://ok.example/">ok</a></p>')


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_renderer_neutralises_payload(payload, db):  # db: @mentions are looked up
    for allow in (True, False):
        html = render_markdown(payload, allow_links=allow, allow_images=allow)
        assert audit(html) == [], (payload, html)


def test_payloads_through_posting_and_pages(client, thread, other_member, moderator):
    """Post every payload as a reply (and as an edit), then check stored and rendered HTML."""
    posts = []
    for payload in XSS_PAYLOADS:
        if "\x00" in payload:  # NUL bytes are refused outright (PostgreSQL cannot store them)
            with pytest.raises(ValidationError):
                make_reply(other_member, thread, body=payload)
            continue
        posts.append(make_reply(other_member, thread, body=payload))
    assert len(posts) >= 50
    for post in Post.objects.filter(pk__in=[p.pk for p in posts]):
        assert audit(post.body_html) == [], (post.body_markdown, post.body_html)
    pages = (len(XSS_PAYLOADS) + 1) // 20 + 2
    client.force_login(moderator)
    for page in range(1, pages + 1):
        response = client.get(thread.get_absolute_url(), {"page": page})
        assert response.status_code == 200
        html = response.content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        # The page's own forms (reply, vote ...) are fine; attributes are still checked.
        assert audit(main, PAGE_TAGS) == [], f"page {page}"
    # The preview endpoint uses the same policy.
    for payload in XSS_PAYLOADS:
        response = client.post("/community/preview/", {"body": payload})
        assert audit(response.json()["html"]) == [], payload


def test_payload_in_title_and_tags_is_escaped(client, trusted_member, category):
    from tests.forum.factories import make_thread

    thread = make_thread(
        trusted_member, category, title="<script>alert(1)</script> APN <img src=x onerror=alert(1)>"
    )
    for url in (thread.get_absolute_url(), "/community/", category.get_absolute_url()):
        html = client.get(url).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert audit(main, PAGE_TAGS) == [], url
        assert "&lt;script&gt;alert(1)&lt;/script&gt; APN" in main
    rss = client.get(f"/community/c/{category.slug}/feed.rss").content.decode()
    assert "<script" not in rss
