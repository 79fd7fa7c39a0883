"""forum.markdown: the one renderer and sanitiser policy; the forum_rerender command."""

from io import StringIO

from django.core.management import call_command

from forum import markdown as md
from forum.models import Post
from tests.forum.factories import make_reply


def test_fenced_code_is_highlighted_with_pygments_classes():
    html = md.render_markdown("```python\nimport os\nprint('<b>')\n```")
    assert html.startswith('<div class="highlight"><pre>')
    assert '<span class="kn">import</span>' in html
    assert "&lt;b&gt;" in html and "&amp;lt;" not in html  # escaped once, not twice


def test_tables_lists_quotes_and_inline_code():
    html = md.render_markdown(
        "| Band | Mode |\n|:-----|-----:|\n| 20 | LTE-M |\n\n"
        "3. third\n4. fourth\n\n* a\n* b\n\n> quoted\n\nUse `AT+CGDCONT`."
    )
    assert "<table>" in html and "<td>LTE-M</td>" in html
    assert "style=" not in html  # column alignment is dropped, never a style attribute
    assert '<ol start="3">' in html
    assert "<ul>" in html and "<blockquote>" in html
    assert "<code>AT+CGDCONT</code>" in html


def test_headings_are_demoted_below_the_page_headings():
    html = md.render_markdown("# One\n\n## Two\n\n#### Four\n\n###### Six")
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html
    assert "<h6>Four</h6>" in html and "<h6>Six</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_links_autolinks_and_rel():
    html = md.render_markdown(
        "See https://example.com/docs, www.example.org and [the guide](https://kb.example/g). "
        "Mail <support@example.com>. Not in code: `https://in.code`"
    )
    assert html.count('rel="nofollow ugc noopener"') == 4
    assert '<a href="https://example.com/docs" rel="nofollow ugc noopener">' in html
    assert '<a href="https://www.example.org" rel="nofollow ugc noopener">' in html
    assert "<code>https://in.code</code>" in html


def test_raw_html_is_shown_as_text():
    html = md.render_markdown('Hello <b>bold</b> <span style="x">y</span>\n\n<div>block</div>')
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;div&gt;block&lt;/div&gt;" in html
    assert "<b>" not in html and "<div>" not in html


def test_unsafe_urls_are_dropped():
    html = md.render_markdown(
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](vbscript:x) ![d](data:image/png;x) "
        "![e](https://img.example/e.png) [f](/community/)"
    )
    assert "javascript:" not in html and "data:" not in html and "vbscript:" not in html
    assert '<img alt="e" src="https://img.example/e.png">' in html
    assert '<a href="/community/" rel="nofollow ugc noopener">f</a>' in html


def test_restricted_mode_for_new_members():
    html = md.render_markdown(
        "Go to https://spam.example or [here](https://x.example) ![i](https://x.example/i.png)",
        allow_links=False,
        allow_images=False,
    )
    assert "<a" not in html and "<img" not in html
    assert "https://spam.example" in html and "here" in html


def test_sanitize_html_allow_list():
    dirty = (
        '<p class="lead" id="x" onclick="y">p</p><span class="nf">ok</span>'
        '<span class="evil stuff-here">x</span><div class="highlight">d</div><div class="x">e</div>'
        '<code class="language-python">c</code><code class="language-python evil!">c2</code>'
    )
    clean = md.sanitize_html(dirty)
    assert clean == (
        '<p>p</p><span class="nf">ok</span><span>x</span><div class="highlight">d</div>'
        '<div>e</div><code class="language-python">c</code><code>c2</code>'
    )


def test_plain_text():
    assert md.plain_text("# Title\n\n**bold** & <i>x</i>\n\n```\ncode\n```") == (
        "Title bold & <i>x</i> code"
    )
    assert md.plain_text("word " * 100, limit=20).endswith("…")
    assert len(md.plain_text("word " * 100, limit=20)) <= 20


def test_rerender_command_updates_outdated_posts(thread, other_member, new_member):
    fresh = make_reply(other_member, thread, body="Current https://example.com")
    restricted = make_reply(new_member, thread, body="New member https://example.com")
    Post.objects.filter(pk__in=[fresh.pk, restricted.pk]).update(
        body_html="<p>stale</p>", rendered_with_policy_version=md.POLICY_VERSION - 1
    )
    out = StringIO()
    call_command("forum_rerender", stdout=out)
    assert "Re-rendered 2 post(s)" in out.getvalue()
    fresh.refresh_from_db()
    restricted.refresh_from_db()
    assert fresh.rendered_with_policy_version == md.POLICY_VERSION
    assert 'rel="nofollow ugc noopener"' in fresh.body_html
    assert "<a " not in restricted.body_html  # still rendered without links
    out = StringIO()
    call_command("forum_rerender", stdout=out)
    assert "Re-rendered 0 post(s)" in out.getvalue()
    call_command("forum_rerender", "--all", stdout=out)
    assert f"Re-rendered {Post.objects.count()} post(s)" in out.getvalue()
