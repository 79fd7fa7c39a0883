"""@mentions are highlighted in rendered posts (forum.markdown + forum.selectors).

Existing, active members only; never inside code or links; unknown names stay text; one lookup
per post; the same reading decides who is notified; safe against markup in names and payloads.
"""

import re
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from forum import markdown as md
from forum.models import Member, Notification, NotificationKind, Post, TrustLevel
from forum.post_text import parse_mentions
from tests.forum.factories import make_reply, set_trust
from tests.forum.test_xss import audit

MENTION = '<span class="mention">@{}</span>'


@pytest.fixture
def dana(user_factory):
    user = user_factory(email="dana@example.com", display_name="Dana Support")
    set_trust(user, TrustLevel.MEMBER)
    return user


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def handle_of(user) -> str:
    return Member.objects.get(user=user).handle


def test_a_mention_of_a_member_is_marked(dana, other_member):
    html = md.render_markdown("Thanks @Dana_Support and @riley, ask @nobody.")
    assert MENTION.format("Dana_Support") in html
    assert MENTION.format("riley") in html  # case-insensitive, shown as typed
    assert "@nobody" in html and MENTION.format("nobody") not in html


@pytest.mark.parametrize(
    "source",
    [
        "`@Riley`",
        "```\n@Riley\n```",
        "    @Riley in an indented code block",
        "[@Riley](https://example.com/u)",
        "[see **@Riley**](https://example.com/u)",
        "https://example.com/@Riley",
        "<https://example.com/@Riley>",
        "write to riley@example.com",
        "\\@Riley is not a mention",
        "path/@Riley and x.@Riley",
    ],
)
def test_never_a_mention(other_member, source):
    html = md.render_markdown(source)
    assert 'class="mention"' not in html, html
    assert md.mention_handles(source) == []


def test_mentions_in_running_text_of_any_block(other_member):
    html = md.render_markdown(
        "# @Riley\n\n> quoted @Riley\n\n- **@Riley**, |\n\n| a |\n|---|\n| @Riley |"
    )
    assert html.count(MENTION.format("Riley")) == 4


def test_inactive_members_are_not_mentioned(other_member, run_on_commit, thread):
    other_member.is_active = False
    other_member.save()
    assert 'class="mention"' not in md.render_markdown("@Riley")
    assert parse_mentions("@Riley") == []


def test_no_mention_markup_without_a_resolver(other_member):
    assert 'class="mention"' not in md.render_markdown("@Riley", mentions=None)


def test_one_query_per_post_however_many_mentions(user_factory, django_assert_num_queries):
    handles = []
    for i in range(25):
        user = user_factory(email=f"m{i}@example.com", display_name=f"Member {i}")
        handles.append(set_trust(user).handle)
    body = " ".join(f"@{h} and again @{h}" for h in handles) + " @ghost1 @ghost2"
    with django_assert_num_queries(1):
        html = md.render_markdown(body)
    assert html.count('class="mention"') == 50
    with django_assert_num_queries(0):
        md.render_markdown("No mentions here, just mail@example.com and `@code`.")


def test_lookups_are_capped_per_post(db):
    asked = []

    def resolver(handles):
        asked.append(list(handles))
        return set()

    md.render_markdown(" ".join(f"@ghost{i}" for i in range(500)), mentions=resolver)
    assert len(asked) == 1 and len(asked[0]) == md.MAX_MENTION_LOOKUPS
    with CaptureQueriesContext(connection) as queries:
        md.render_markdown(" ".join(f"@ghost{i}" for i in range(500)))
    assert len(queries) == 1


def test_posting_stores_highlighted_html_and_notifies_the_same_people(
    run_on_commit, thread, trusted_member, other_member, dana
):
    body = "@Riley see [@Dana_Support](https://example.com) and `@Dana_Support`, also @Morgan"
    with run_on_commit():
        post = make_reply(other_member, thread, body=body)
    assert MENTION.format("Riley") in post.body_html  # the author's own name is marked ...
    assert MENTION.format("Morgan") in post.body_html
    assert post.body_html.count('class="mention"') == 2
    # ... but only Morgan is notified: not the author, not Dana (link and code).
    assert list(post.mentions.all()) == [trusted_member]
    assert not Notification.objects.filter(recipient=dana).exists()
    assert Notification.objects.filter(
        recipient=trusted_member, kind=NotificationKind.MENTION
    ).exists()


def test_new_members_restricted_markup_still_marks_mentions(new_member, thread, other_member):
    post = make_reply(new_member, thread, body="Thanks @Riley, see https://example.com/@Riley")
    assert MENTION.format("Riley") in post.body_html
    assert "<a " not in post.body_html and post.body_html.count('class="mention"') == 1


def test_editing_adds_the_highlight(thread, trusted_member, other_member):
    from forum.services import edit_post

    post = thread.posts.get(number=1)
    edited = edit_post(post=post, editor=trusted_member, body="Update: @Riley fixed it for me.")
    assert MENTION.format("Riley") in edited.body_html
    assert list(edited.mentions.all()) == [other_member]


def test_thread_page_and_preview_show_mentions(client, thread, other_member, trusted_member):
    make_reply(other_member, thread, body="Morning @Morgan, which module is it?")
    html = client.get(thread.get_absolute_url()).content.decode()
    assert MENTION.format("Morgan") in html
    client.force_login(trusted_member)
    preview = client.post("/community/preview/", {"body": "cc @Riley and @nobody"}).json()
    assert MENTION.format("Riley") in preview["html"]
    assert MENTION.format("nobody") not in preview["html"]


def test_rerender_highlights_old_posts_without_notifying(
    run_on_commit, thread, other_member, trusted_member
):
    assert md.POLICY_VERSION >= 2
    post = make_reply(other_member, thread, body="Ping @Morgan about the APN")
    Post.objects.filter(pk=post.pk).update(
        body_html="<p>Ping @Morgan about the APN</p>", rendered_with_policy_version=1
    )
    before = Notification.objects.count()
    with run_on_commit():
        call_command("forum_rerender", stdout=StringIO())
    post.refresh_from_db()
    assert MENTION.format("Morgan") in post.body_html
    assert post.rendered_with_policy_version == md.POLICY_VERSION
    assert Notification.objects.count() == before


# --- XSS: names and payloads built to break out of the mention markup ---------------------------

HOSTILE_NAMES = [
    'Eve"><script>alert(1)</script>',
    "O'Neil <img src=x onerror=alert(1)>",
    "Zed` onmouseover=alert(1) x=`",
    "Ann</span><svg onload=alert(1)>",
]

MENTION_PAYLOADS = [
    '@Riley"><script>alert(1)</script>',
    "@Riley<img src=x onerror=alert(1)>",
    '@Riley" onmouseover="alert(1)',
    "@Riley' onfocus='alert(1)' autofocus='",
    '<span class="mention" onclick="alert(1)">@Riley</span>',
    '<span class="mention" style="x">@x</span>',
    "[@Riley](javascript:alert(1))",
    "[x](javascript:alert(1)) @Riley",
    "![@Riley](javascript:alert(1))",
    "@Riley`<script>alert(1)</script>`",
    "@Riley@Riley<script>alert(1)</script>",
    "**@Riley<script>alert(1)</script>**",
    "@<script>alert(1)</script>",
    "@Riley\n<iframe src=javascript:alert(1)>",
    "&#64;Riley <a href=javascript:alert(1)>x</a>",
    "@Riley&lt;script&gt;alert(1)&lt;/script&gt;",
]


def test_hostile_display_names_cannot_inject_markup(user_factory, thread, other_member):
    for i, name in enumerate(HOSTILE_NAMES):
        user = user_factory(email=f"h{i}@example.com", display_name=name)
        handle = set_trust(user).handle
        assert all(ch not in handle for ch in "<>\"'` ")
        post = make_reply(other_member, thread, body=f"Hello @{handle} and {name}")
        assert MENTION.format(handle) in post.body_html
        assert audit(post.body_html) == [], post.body_html


def test_a_stored_handle_with_markup_never_matches(user_factory, thread, other_member):
    user = user_factory(email="odd@example.com", display_name="Odd")
    Member.objects.filter(pk=set_trust(user).pk).update(handle='x"><b>')
    html = md.render_markdown('hi @x"><b> there')
    assert 'class="mention"' not in html and "<b>" not in html


SPAN_RE = re.compile(r"<span\b[^>]*>")


@pytest.mark.parametrize("payload", MENTION_PAYLOADS)
def test_mention_payloads_are_neutralised(other_member, payload):
    for allow in (True, False):
        html = md.render_markdown(payload, allow_links=allow, allow_images=allow)
        assert audit(html) == [], (payload, html)
        # Spans are only ever the renderer's own: the mention marker or Pygments tokens.
        for span in SPAN_RE.findall(html):
            assert re.fullmatch(r'<span( class="(mention|[a-z0-9 ]+)")?>', span), (payload, html)


def test_deactivating_and_reactivating_a_member_updates_stored_highlights(
    run_on_commit, thread, trusted_member, other_member
):
    post = make_reply(other_member, thread, body="Ask @Morgan, or @morgan2 if that fails")
    other = make_reply(other_member, thread, body="Nothing to see here")
    assert MENTION.format("Morgan") in post.body_html
    with run_on_commit():
        trusted_member.is_active = False
        trusted_member.save()
    post.refresh_from_db()
    assert 'class="mention"' not in post.body_html
    with run_on_commit():
        trusted_member.is_active = True
        trusted_member.save(update_fields=["is_active"])
    post.refresh_from_db()
    assert MENTION.format("Morgan") in post.body_html
    other.refresh_from_db()
    assert other.body_html == "<p>Nothing to see here</p>"


def test_unrelated_user_saves_do_not_rerender(run_on_commit, thread, trusted_member, other_member):
    post = make_reply(other_member, thread, body="Ask @Morgan")
    Post.objects.filter(pk=post.pk).update(body_html="<p>marker</p>")
    with run_on_commit():
        trusted_member.first_name = "Morgan"
        trusted_member.save()
        trusted_member.save(update_fields=["last_login"])
    post.refresh_from_db()
    assert post.body_html == "<p>marker</p>"
