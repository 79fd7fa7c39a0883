"""`import_community stackexchange`: a Stack Exchange dump, built by each test as small XML
files, comes in as threads, replies, comments, helpful votes and imported members - sanitised,
attributed, searchable, and unchanged by a second run."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed

from forum.importers import CommunityImportError
from forum.importers.claims import claim_imported_member
from forum.importers.stackexchange import import_stackexchange, licence_for
from forum.markdown import render_markdown
from forum.models import (
    Category,
    ImportedKind,
    ImportedRecord,
    Member,
    Post,
    Tag,
    Thread,
    ThreadStatus,
)
from forum.services import ForumPermissionDenied
from resourcecenter.models import User
from search.models import IndexOutbox
from search.services import search

pytestmark = pytest.mark.django_db

SITE = "gadgets.stackexchange.com"


def _rows(root: str, rows: list[dict]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f"<{root}>"]
    for row in rows:
        attrs = " ".join(f"{k}={quoteattr(str(v))}" for k, v in row.items() if v is not None)
        lines.append(f"  <row {attrs} />")
    lines.append(f"</{root}>")
    return "\n".join(lines)


def _default_dump() -> dict[str, list[dict]]:
    return {
        "users": [
            {"Id": -1, "DisplayName": "Community", "CreationDate": "2016-12-05T22:23:31.833"},
            {"Id": 4, "DisplayName": "Dana", "CreationDate": "2016-12-06T10:00:00.000"},
            {"Id": 7, "DisplayName": "Sam Volt", "CreationDate": "2016-12-06T11:00:00.000"},
            {"Id": 9, "DisplayName": "sam volt", "CreationDate": "2016-12-07T11:00:00.000"},
            {"Id": 12, "DisplayName": "Quiet Reader", "CreationDate": "2016-12-08T11:00:00.000"},
        ],
        "posts": [
            {
                "Id": 1,
                "PostTypeId": 1,
                "CreationDate": "2016-12-06T17:10:44.557",
                "Score": 5,
                "ViewCount": 226,
                "Title": "How do I range test a Zigbee antenna?",
                "Tags": "<zigbee><antenna>",
                "Body": "<p>My <strong>PCB antenna</strong> needs a range test. "
                "See <a href='/questions/2/other'>the other one</a>.</p>",
                "OwnerUserId": 4,
                "LastEditorUserId": 7,
                "LastEditDate": "2016-12-17T19:24:51.137",
                "LastActivityDate": "2017-01-05T00:18:31.633",
                "AcceptedAnswerId": 11,
                "AnswerCount": 3,
            },
            {
                "Id": 10,
                "PostTypeId": 2,
                "ParentId": 1,
                "CreationDate": "2016-12-06T18:00:00.000",
                "Score": 1,
                "Body": "<p>Use a spectrum analyser.</p>",
                "OwnerUserId": 9,
                "LastActivityDate": "2016-12-06T18:00:00.000",
            },
            {
                "Id": 11,
                "PostTypeId": 2,
                "ParentId": 1,
                "CreationDate": "2016-12-07T09:00:00.000",
                "Score": 4,
                "Body": "<p>Walk away with a <code>rssi</code> logger:</p>"
                "<pre><code>while true; do read_rssi; done\n</code></pre>",
                "OwnerUserId": 7,
                "LastActivityDate": "2016-12-07T09:00:00.000",
            },
            {
                "Id": 12,
                "PostTypeId": 2,
                "ParentId": 1,
                "CreationDate": "2016-12-05T09:00:00.000",
                "Score": 1,
                "Body": "<p>An anonymous hint.</p>",
                "OwnerDisplayName": "user254",
                "LastActivityDate": "2016-12-05T09:00:00.000",
            },
            {
                "Id": 2,
                "PostTypeId": 1,
                "CreationDate": "2019-10-01T08:00:00.000",
                "Score": 0,
                "ViewCount": 12,
                "Title": "Which LTE-M module sleeps deepest?",
                "Tags": "<lte-m>",
                "Body": "<p>Power matters.</p>",
                "OwnerUserId": 12,
                "LastActivityDate": "2019-10-01T08:00:00.000",
                "ClosedDate": "2019-10-02T08:00:00.000",
            },
            {"Id": 20, "PostTypeId": 5, "CreationDate": "2016-12-06T17:10:44.557", "Body": ""},
            {
                "Id": 21,
                "PostTypeId": 4,
                "CreationDate": "2016-12-06T17:10:44.557",
                "Body": "Zigbee is a mesh protocol.",
            },
        ],
        "comments": [
            {
                "Id": 100,
                "PostId": 1,
                "Score": 2,
                "Text": "Which *frequency* band?",
                "CreationDate": "2016-12-06T17:30:00.000",
                "UserId": 7,
            },
            {
                "Id": 101,
                "PostId": 11,
                "Score": 0,
                "Text": "Thanks, that worked.",
                "CreationDate": "2016-12-08T17:30:00.000",
                "UserId": 4,
            },
        ],
        "votes": [
            *[
                {"Id": n, "PostId": 1, "VoteTypeId": 2, "CreationDate": "2016-12-07"}
                for n in (1, 2)
            ],
            *[
                {"Id": n, "PostId": 11, "VoteTypeId": 2, "CreationDate": "2016-12-07"}
                for n in (3, 4, 5)
            ],
            {"Id": 6, "PostId": 10, "VoteTypeId": 2, "CreationDate": "2016-12-07"},
            {"Id": 7, "PostId": 10, "VoteTypeId": 3, "CreationDate": "2016-12-07"},
            {"Id": 8, "PostId": 11, "VoteTypeId": 1, "CreationDate": "2016-12-07"},
            {"Id": 9, "PostId": 1, "VoteTypeId": 5, "CreationDate": "2016-12-07", "UserId": 9},
            {"Id": 10, "PostId": 999, "VoteTypeId": 2, "CreationDate": "2016-12-07"},
            {"Id": 11, "PostId": 21, "VoteTypeId": 2, "CreationDate": "2016-12-07"},
        ],
        "tags": [
            {"Id": 1, "TagName": "zigbee", "Count": 1},
            {"Id": 2, "TagName": "antenna", "Count": 1},
            {"Id": 3, "TagName": "lte-m", "Count": 1},
        ],
    }


FILES = {
    "users": "Users.xml",
    "posts": "Posts.xml",
    "comments": "Comments.xml",
    "votes": "Votes.xml",
    "tags": "Tags.xml",
}


@pytest.fixture
def write_dump(tmp_path):
    """Write a dump (the default one, or `data`) into tmp_path/<SITE>/; returns the folder."""

    def write(data=None, site=SITE) -> Path:
        folder = tmp_path / site
        folder.mkdir(exist_ok=True)
        for key, rows in (data or _default_dump()).items():
            (folder / FILES[key]).write_text(_rows(key, rows), encoding="utf-8")
        return folder

    return write


@pytest.fixture
def dump(write_dump):
    return write_dump()


def _thread(title_start="How do I range"):
    return Thread.objects.get(title__startswith=title_start)


def test_questions_answers_comments_and_votes_come_in(dump):
    report = import_stackexchange(dump)

    assert Thread.objects.count() == 2
    thread = _thread()
    assert thread.category.name == SITE
    assert thread.created_at == datetime.datetime(
        2016, 12, 6, 17, 10, 44, 557000, tzinfo=datetime.UTC
    )
    assert thread.view_count == 226
    assert sorted(thread.tags.values_list("name", flat=True)) == ["antenna", "zigbee"]
    # answers in score order (4, then the two 1s oldest first); the accepted one marked
    posts = list(thread.posts.order_by("number"))
    assert [p.body_markdown.split("\n")[0] for p in posts[1:]] == [
        "Walk away with a `rssi` logger:",
        "An anonymous hint.",
        "Use a spectrum analyser.",
    ]
    assert thread.accepted_answer == posts[1]
    assert thread.status == ThreadStatus.SOLVED
    assert thread.reply_count == 3
    # up-votes are helpful votes; the down-vote and the favourite are not
    assert [p.helpful_count for p in posts] == [2, 3, 0, 1]
    # dates kept, edits too
    question = posts[0]
    assert question.edited_at == datetime.datetime(
        2016, 12, 17, 19, 24, 51, 137000, tzinfo=datetime.UTC
    )
    assert question.edited_by.display_name == "Sam Volt"
    assert question.edit_count == 1
    assert thread.last_activity_at == datetime.datetime(
        2017, 1, 5, 0, 18, 31, 633000, tzinfo=datetime.UTC
    )
    # comments under their post, with author and link
    assert "**Comments**" in question.body_markdown
    assert "Which *frequency* band?" in question.body_markdown
    assert f'href="https://{SITE}/posts/comments/100"' in question.body_html
    assert "<em>frequency</em>" in question.body_html
    assert "Thanks, that worked." in posts[1].body_markdown
    # the closed question without an accepted answer is closed
    assert _thread("Which LTE-M").status == ThreadStatus.CLOSED

    assert report.created["threads"] == 2
    assert report.created["replies"] == 3
    assert report.created["comments"] == 2
    assert report.created["members"] == 5
    assert report.figures["helpful votes on them"] == 6
    assert report.figures["up-votes in the dump"] == 6
    assert report.figures["accepted answers marked"] == 1
    assert report.warning_counts["post-type-not-imported"] == 2
    assert report.warning_counts["down-votes-not-imported"] == 1
    assert report.warning_examples["vote-on-post-not-imported"] == [
        "vote 10: post 999 is not in the dump (deleted on the site?)",
        "vote 11: post 21 is a tag wiki excerpt",
    ]
    assert report.warning_counts["vote-type-not-imported"] == 1  # the favourite
    assert report.warning_counts["post-without-account"] == 1


def test_each_post_links_to_its_original_and_author_under_its_licence(dump):
    import_stackexchange(dump)
    thread = _thread()
    question, accepted, anonymous, _ = thread.posts.order_by("number")
    assert f'<a href="https://{SITE}/q/1" rel="nofollow ugc noopener">' in question.body_html
    assert f'<a href="https://{SITE}/users/4" rel="nofollow ugc noopener">Dana</a>' in (
        question.body_html
    )
    assert "CC BY-SA 3.0" in question.body_html
    assert f"https://{SITE}/a/11" in accepted.body_html
    assert "by user254" in anonymous.body_markdown
    assert anonymous.author is None
    assert "CC BY-SA 4.0" in _thread("Which LTE-M").posts.get(number=1).body_html
    assert licence_for(datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC))[0] == "CC BY-SA 2.5"
    # relative links of the old site point there, not into this one
    assert f'href="https://{SITE}/questions/2/other"' in question.body_html
    record = ImportedRecord.objects.get(kind=ImportedKind.ANSWER, source_id="11")
    assert record.source_url == f"https://{SITE}/a/11"


def test_members_are_imported_without_a_usable_password_and_with_unique_names(dump):
    import_stackexchange(dump)
    imported = User.objects.filter(email__endswith=".invalid")
    assert imported.count() == 5
    assert not any(u.has_usable_password() or u.is_active for u in imported)
    names = sorted(imported.values_list("display_name", flat=True))
    assert "Sam Volt" in names
    assert "sam volt [gadgets 9]" in names  # the same name ignoring case gets its origin added
    assert len({n.lower() for n in names}) == 5
    assert Member.objects.filter(user__in=imported).count() == 5
    dana = User.objects.get(display_name="Dana")
    assert dana.forum_member.approved_post_count == 1
    assert dana.date_joined == datetime.datetime(2016, 12, 6, 10, 0, tzinfo=datetime.UTC)
    assert not EmailAddress.objects.filter(user__in=imported).exists()


def test_an_imported_thread_reads_like_any_other(dump, client):
    import_stackexchange(dump)
    thread = _thread()
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "How do I range test a Zigbee antenna?" in page
    assert f"https://{SITE}/a/11" in page
    assert "Sam Volt" in page


def test_anonymous_names(dump):
    import_stackexchange(dump, anonymous_names=True)
    assert User.objects.filter(display_name="gadgets member 4").exists()
    assert not User.objects.filter(display_name="Dana").exists()


def _snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Thread, Post, User, Member, Tag, ImportedRecord, Category, IndexOutbox)
    } | {"thread_tags": list(Thread.tags.through.objects.order_by("pk").values())}


def test_a_second_run_changes_nothing(dump):
    import_stackexchange(dump)
    before = _snapshot()
    report = import_stackexchange(dump)
    assert _snapshot() == before
    assert not report.changed_anything
    assert report.unchanged["threads"] == 2
    assert report.unchanged["replies"] == 3
    assert report.unchanged["comments"] == 2
    assert report.unchanged["members"] == 5


def test_a_newer_dump_updates_in_place_and_appends_new_answers(dump, write_dump):
    import_stackexchange(dump)
    thread = _thread()
    numbers = dict(thread.posts.values_list("pk", "number"))
    data = _default_dump()
    posts = data["posts"]
    posts[1]["Body"] = "<p>Use a calibrated spectrum analyser.</p>"  # answer 10 edited
    posts.insert(
        4,
        {
            "Id": 13,
            "PostTypeId": 2,
            "ParentId": 1,
            "CreationDate": "2017-02-01T09:00:00.000",
            "Score": 9,
            "Body": "<p>A late but great answer.</p>",
            "OwnerUserId": 12,
        },
    )
    data["comments"].append(
        {
            "Id": 102,
            "PostId": 10,
            "Score": 0,
            "Text": "Which one?",
            "CreationDate": "2017-01-01T00:00:00",
            "UserId": 4,
        }
    )
    write_dump(data)

    report = import_stackexchange(dump)

    assert report.created["replies"] == 1
    assert report.updated["replies"] == 1
    assert report.created["comments"] == 1
    assert report.updated["threads"] == 1
    assert report.unchanged["threads"] == 1
    thread.refresh_from_db()
    # permalinks stay: the numbers of existing posts do not move; the new answer is appended
    assert dict(Post.objects.filter(pk__in=numbers).values_list("pk", "number")) == numbers
    late = thread.posts.get(number=5)
    assert late.body_markdown.startswith("A late but great answer.")
    edited = Post.objects.get(
        pk=ImportedRecord.objects.get(kind="answer", source_id="10").object_id
    )
    assert "calibrated" in edited.body_html and "Which one?" in edited.body_html
    assert thread.reply_count == 4
    assert thread.accepted_answer.body_markdown.startswith("Walk away")


def test_bodies_are_sanitised_by_the_forum_policy(write_dump):
    data = _default_dump()
    data["posts"][0]["Body"] = (
        "<p>Hi<script>alert(1)</script> <img src='x' onerror='alert(2)'> "
        "<a href='javascript:alert(3)'>click</a> <span style='color:red'>red</span> "
        "<iframe src='https://evil.example'></iframe>&lt;b&gt;literal&lt;/b&gt;</p>"
    )
    folder = write_dump(data)
    import_stackexchange(folder)
    post = _thread().posts.get(number=1)
    html = post.body_html.lower()
    for bad in ("<script", "onerror", "javascript:", "style=", "<iframe"):
        assert bad not in html
    assert "&lt;b&gt;literal&lt;/b&gt;" in post.body_html  # text that looked like markup stays text
    assert post.body_html == render_markdown(post.body_markdown, mentions=None)


def test_category_option_uses_an_existing_category_or_creates_one(dump, write_dump):
    existing = Category.objects.create(name="Old forum", slug="old-forum")
    import_stackexchange(dump, category="old-forum")
    assert set(Thread.objects.values_list("category", flat=True)) == {existing.pk}
    other_site = write_dump(site="widgets.stackexchange.com")
    import_stackexchange(other_site, category="Widgets archive")
    created = Category.objects.get(name="Widgets archive")
    assert created.slug == "widgets-archive"
    assert created.threads.count() == 2


def test_imported_threads_are_found_by_search(dump, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_stackexchange(dump)
    thread = _thread()
    outcome = search(AnonymousUser(), "spectrum analyser", log=False)
    assert f"thread:{thread.pk}" in [hit.doc_id for hit in outcome.result.hits]
    outcome = search(AnonymousUser(), "zigbee antenna range", log=False)
    assert f"thread:{thread.pk}" in [hit.doc_id for hit in outcome.result.hits]


def test_dry_run_changes_nothing(dump):
    report = import_stackexchange(dump, dry_run=True)
    assert report.created["threads"] == 2
    assert not Thread.objects.exists()
    assert not User.objects.exists()


def test_the_command_prints_a_report(dump):
    out = io.StringIO()
    call_command("import_community", "stackexchange", str(dump), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "threads: 2 created, 0 updated, 0 unchanged" in text
    assert "replies: 3 created" in text
    assert "post-type-not-imported: 2" in text
    assert "post 20: tag wiki (no place in the forum)" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: (f / "Posts.xml").unlink(), "has no Posts.xml"),
        (
            lambda f: (f / "Users.xml").write_text("<users><row Id='1' </users>"),
            "Users.xml is not well-formed XML (line 1",
        ),
        (
            lambda f: (f / "Posts.xml").write_text("<comments></comments>"),
            "expected a <posts> document",
        ),
        (
            lambda f: (f / "Posts.xml").write_text(
                '<posts><row Id="5" PostTypeId="42" CreationDate="2016-01-01T00:00:00" /></posts>'
            ),
            "Posts.xml row Id=5: unknown PostTypeId '42'",
        ),
        (
            lambda f: (f / "Posts.xml").write_text(
                '<posts><row Id="5" PostTypeId="1" CreationDate="yesterday" '
                'Title="A question here" /></posts>'
            ),
            "'yesterday' is not a date",
        ),
        (
            lambda f: (f / "Users.xml").write_text(
                '<!DOCTYPE u [<!ENTITY a "aaaa">]><users><row Id="1" DisplayName="&a;" /></users>'
            ),
            "refused for safety",
        ),
    ],
)
def test_odd_input_stops_with_a_clear_error_and_changes_nothing(dump, change, message):
    change(dump)
    with pytest.raises(CommandError) as caught:
        call_command("import_community", "stackexchange", str(dump), "--no-progress")
    assert message in str(caught.value)
    assert not Thread.objects.exists()
    assert not User.objects.exists()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommunityImportError, match="is not a folder"):
        import_stackexchange(tmp_path / "nope.stackexchange.com")


def test_missing_optional_files_are_warned_about(dump):
    (dump / "Votes.xml").unlink()
    report = import_stackexchange(dump)
    assert report.warning_examples["missing-file"] == [
        "Votes.xml is missing: nothing of it is imported"
    ]
    assert not Post.objects.filter(helpful_count__gt=0).exists()


def test_a_person_claims_an_imported_member_by_verifying_its_email(dump, user_factory):
    import_stackexchange(dump)
    record = ImportedRecord.objects.get(kind=ImportedKind.MEMBER, source_id="4")
    record.claim_email = "dana@example.com"  # what a source with e-mail addresses would give
    record.save()
    placeholder = User.objects.get(pk=record.object_id)

    stranger = user_factory(email="other@example.com", verified=True)
    with pytest.raises(ForumPermissionDenied):
        claim_imported_member(record=record, claimant=stranger)

    dana = user_factory(email="dana@example.com", verified=False)
    address = EmailAddress.objects.get(user=dana, email="dana@example.com")
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Post.objects.filter(author=dana).count() == 0  # not verified: nothing moves

    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    record.refresh_from_db()
    assert record.claimed_by == dana
    assert Post.objects.filter(author=dana).count() == 1
    assert not Post.objects.filter(author=placeholder).exists()
    assert _thread().author == dana
    assert dana.forum_member.approved_post_count == 1
    with pytest.raises(ForumPermissionDenied, match="already been claimed"):
        claim_imported_member(record=record, claimant=dana)
    # importing the same dump again leaves the claimed posts with the person
    assert not import_stackexchange(dump).changed_anything
    assert Post.objects.filter(author=dana).count() == 1


def _structure(html: str) -> list[str]:
    """The elements of rendered HTML in document order (without the highlighter's wrappers)."""
    return [t for t in re.findall(r"<(\w+)", html) if t not in ("div", "span")]


@pytest.mark.parametrize(
    ("html", "structure", "text"),
    [
        # code inside a quote or a list item stays code (fences only work at the top level)
        (
            "<blockquote><pre><code>$ mosquitto_sub -t x\nok\n</code></pre></blockquote>",
            ["blockquote", "pre", "code"],
            "$ mosquitto_sub -t x\nok",
        ),
        (
            "<ul><li><p>Run</p><pre><code>make\n</code></pre></li><li>Done</li></ul>",
            ["ul", "li", "p", "pre", "code", "li", "p"],
            "make",
        ),
        # a quote in a list item does not swallow the next item
        (
            "<ol><li><em>A</em><blockquote><p>q</p></blockquote></li><li>B</li></ol>",
            ["ol", "li", "p", "em", "blockquote", "p", "li", "p"],
            "B",
        ),
        # a line break stays a line break, not a new paragraph
        ("<p>one\n<br>two</p>", ["p", "br"], "two"),
        (
            "<p><img src='/images/x.png' alt='board'></p>",
            ["p", "img"],
            f'src="https://{SITE}/images/x.png"',
        ),
    ],
)
def test_html_bodies_keep_their_structure(html, structure, text):
    from forum.importers.html_markdown import html_to_markdown

    rendered = render_markdown(html_to_markdown(html, f"https://{SITE}"), mentions=None)
    assert _structure(rendered) == structure
    assert text in rendered
    assert "&gt;" not in rendered and "-   " not in rendered
