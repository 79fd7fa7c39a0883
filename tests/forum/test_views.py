"""The Community's pages: lists, thread page, forms, JSON helpers, triage, feeds."""

import re
from datetime import timedelta
from xml.etree import ElementTree

from django.utils import timezone

import pytest

from forum import services
from forum.models import Post, PostState, Thread, ThreadState, ThreadStatus
from tests.forum.factories import CategoryFactory, make_reply, make_thread


def parse_xml(content: bytes):
    return ElementTree.fromstring(content)  # noqa: S314 - our own feed output


def main_html(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def titles_in(response) -> list[str]:
    return re.findall(
        r'<h3 class="thread-row-title"><a href="[^"]+">([^<]+)</a>', main_html(response)
    )


@pytest.fixture
def board(trusted_member, other_member, staff_user, category):
    """Four threads: solved, staff-answered, member-answered, unanswered (oldest first)."""
    now = timezone.now()
    solved = make_thread(trusted_member, category, title="Solved: SIM stuck in a state")
    answer = make_reply(other_member, solved, body="Reset it in the portal")
    services.accept_answer(thread=solved, post=answer, by=trusted_member)
    staff = make_thread(trusted_member, category, title="Staff: SMS delivery delayed")
    make_reply(staff_user, staff, body="We are looking at it")
    member = make_thread(other_member, category, title="Member: data usage spikes at night")
    make_reply(trusted_member, member, body="Check the firmware update schedule")
    make_reply(other_member, member, body="Thanks, that was it")
    unanswered = make_thread(trusted_member, category, title="Unanswered: API returns 401")
    for age, thread in enumerate([unanswered, member, staff, solved]):
        Thread.objects.filter(pk=thread.pk).update(
            created_at=now - timedelta(hours=age * 10 + 1),
            last_activity_at=now - timedelta(hours=age * 10 + 1),
        )
    Thread.objects.filter(pk=member.pk).update(view_count=50)
    return {"solved": solved, "staff": staff, "member": member, "unanswered": unanswered}


def test_list_markers(client, board):
    html = main_html(client.get("/community/threads/"))
    assert html.count('class="badge badge-solved">Solved<') == 1
    assert html.count('class="badge badge-staff-replied">Staff replied<') == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Unanswered", "Member", "Staff", "Solved"]),
        ("?sort=newest", ["Unanswered", "Member", "Staff", "Solved"]),
        ("?sort=top", ["Member", "Staff", "Solved", "Unanswered"]),
        ("?sort=unanswered", ["Unanswered"]),
        ("?filter=solved", ["Solved"]),
        ("?filter=unsolved", ["Unanswered", "Member", "Staff"]),
        ("?filter=staff", ["Staff"]),
        ("?filter=noreplies", ["Unanswered"]),
        ("?sort=bogus&filter=bogus", ["Unanswered", "Member", "Staff", "Solved"]),
    ],
)
def test_sorts_and_filters(client, board, query, expected):
    response = client.get("/community/threads/" + query)
    assert response.status_code == 200
    assert [t.split(":")[0] for t in titles_in(response)] == expected


def test_pinned_first_and_pagination(client, board, trusted_member, category):
    Thread.objects.filter(pk=board["solved"].pk).update(pinned=True)
    response = client.get(f"/community/c/{category.slug}/")
    assert titles_in(response)[0].startswith("Solved")
    for i in range(26):
        make_thread(trusted_member, category, title=f"Filler question number {i}")
    page2 = client.get("/community/threads/?sort=newest&page=2")
    assert len(titles_in(page2)) == 30 - 25
    assert 'href="?sort=newest&amp;page=1"' in main_html(page2)
    # Out-of-range pages show the last page rather than an error.
    assert client.get("/community/threads/?page=99").status_code == 200


def test_index_shows_categories_with_counts(client, board, category):
    CategoryFactory(name="Empty one", slug="empty-one")
    CategoryFactory(name="Retired", slug="retired", is_active=False)
    html = main_html(client.get("/community/"))
    assert "4 threads · 1 solved" in html
    assert "Empty one" in html
    assert "Retired" not in html
    assert client.get("/community/c/retired/").status_code == 404


def test_held_threads_not_listed(client, board, new_member, category, moderator):
    held = make_thread(new_member, category, title="Held: new member question")
    assert held.moderation_state == ThreadState.HELD
    assert "Held: new member question" not in titles_in(client.get("/community/threads/"))
    client.force_login(new_member)
    assert "Held: new member question" in titles_in(client.get("/community/threads/"))
    client.force_login(moderator)
    response = client.get(held.get_absolute_url())
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "Awaiting approval" in main_html(response)


def test_thread_page(client, board, staff_user, other_member, trusted_member):
    thread = board["solved"]
    staff_post = make_reply(staff_user, thread, body="Official: use **iot.example**")
    services.mark_official_answer(post=staff_post, by=staff_user)
    response = client.get(thread.get_absolute_url())
    html = response.content.decode()
    main = main_html(response)
    assert f'<link rel="canonical" href="http://testserver{thread.get_absolute_url()}">' in html
    assert 'name="robots"' not in html
    # The accepted answer sits right under the question, before the replies.
    question_at = main.index('id="post-' + str(thread.posts.get(number=1).pk))
    accepted_at = main.index("Accepted answer</h2>")
    replies_at = main.index('id="replies-heading"')
    assert question_at < accepted_at < replies_at
    assert f'href="/community/p/{staff_post.pk}/">Jump to staff answer' in main
    assert 'class="badge badge-staff">Staff</span>' in main
    assert "post post-staff post-official" in main
    assert "<strong>iot.example</strong>" in main


def test_slug_redirect_and_view_count(client, board, other_member):
    thread = board["staff"]
    response = client.get(f"/community/t/{thread.pk}/old-slug/?page=1")
    assert response.status_code == 301
    assert response["Location"] == thread.get_absolute_url() + "?page=1"
    # Anonymous visitors without a session get no session made for them: each view counts.
    client.get(thread.get_absolute_url())
    client.get(thread.get_absolute_url())
    thread.refresh_from_db()
    assert thread.view_count == 2
    assert "sessionid" not in client.cookies
    # Signed-in readers count once per session.
    client.force_login(other_member)
    client.get(thread.get_absolute_url())
    client.get(thread.get_absolute_url())
    thread.refresh_from_db()
    assert thread.view_count == 3


def test_deleted_post_shows_placeholder(client, board, other_member, moderator):
    thread = board["member"]
    post = thread.posts.get(number=3)
    services.delete_post(post=post, by=moderator, reason="Off-topic")
    html = main_html(client.get(thread.get_absolute_url()))
    assert "This post was deleted." in html
    assert "Thanks, that was it" not in html
    client.force_login(moderator)
    html = main_html(client.get(thread.get_absolute_url()))
    assert "Thanks, that was it" in html
    assert "Deleted: Off-topic" in html


def test_ask_flow(client, trusted_member, category):
    client.force_login(trusted_member)
    response = client.get(f"/community/ask/?category={category.slug}")
    assert f'<option value="{category.pk}" selected>' in response.content.decode()
    response = client.post(
        "/community/ask/",
        {"category": category.pk, "title": "Short", "body": "", "tags": "fine, <bad>"},
    )
    assert response.status_code == 400
    html = main_html(response)
    assert "Ensure this value has at least 10 characters" in html
    assert "This field is required." in html
    response = client.post(
        "/community/ask/",
        {
            "category": category.pk,
            "title": "Quectel BG96 does not attach to LTE-M",
            "body": "AT+CEREG? returns 0,2 forever.",
            "tags": "bad tag!",
        },
    )
    assert response.status_code == 400
    assert "is not a valid tag" in main_html(response)
    response = client.post(
        "/community/ask/",
        {
            "category": category.pk,
            "title": "Quectel BG96 does not attach to LTE-M",
            "body": "AT+CEREG? returns 0,2 forever.",
            "tags": "bg96, lte-m",
        },
    )
    thread = Thread.objects.get(title="Quectel BG96 does not attach to LTE-M")
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert thread.author == trusted_member


def test_new_member_question_is_held_with_message(client, new_member, category):
    client.force_login(new_member)
    response = client.post(
        "/community/ask/",
        {
            "category": category.pk,
            "title": "My first question about APNs",
            "body": "Hello, see https://example.com",
        },
        follow=True,
    )
    assert "waiting for a moderator" in response.content.decode()
    thread = Thread.objects.get(title="My first question about APNs")
    assert thread.moderation_state == ThreadState.HELD
    assert "<a " not in thread.posts.get().body_html


def test_quote_reply(client, board, trusted_member):
    thread = board["member"]
    quoted = thread.posts.get(number=2)
    client.force_login(trusted_member)
    response = client.get(f"/community/t/{thread.pk}/reply/?quote={quoted.pk}")
    body = response.content.decode()
    assert "&gt; Check the firmware update schedule" in body
    assert f'name="quote_of" value="{quoted.pk}"' in body
    response = client.post(
        f"/community/t/{thread.pk}/reply/",
        {"body": "> Check the firmware\n\nAgreed.", "quote_of": quoted.pk},
    )
    post = Post.objects.get(body_markdown__endswith="Agreed.")
    assert post.quote_of == quoted
    assert response["Location"] == f"{thread.get_absolute_url()}#post-{post.pk}"
    assert "In reply to" in main_html(client.get(thread.get_absolute_url()))


def test_reply_errors_are_shown(client, board, trusted_member):
    client.force_login(trusted_member)
    response = client.post(f"/community/t/{board['member'].pk}/reply/", {"body": " "})
    assert response.status_code == 400
    assert "This field is required." in main_html(response)
    Thread.objects.filter(pk=board["member"].pk).update(locked=True)
    response = client.post(f"/community/t/{board['member'].pk}/reply/", {"body": "Hello there"})
    assert response.status_code == 403
    assert "This thread is locked" in main_html(response)


def test_edit_and_history(client, board, trusted_member, other_member):
    question = board["unanswered"].posts.get(number=1)
    client.force_login(trusted_member)
    response = client.post(
        f"/community/p/{question.pk}/edit/",
        {"title": "Unanswered: API returns 401 Unauthorized", "body": "New text", "reason": "typo"},
    )
    assert response.status_code == 302
    board["unanswered"].refresh_from_db()  # new title, new slug
    history = main_html(client.get(f"/community/p/{question.pk}/history/"))
    assert "Reason: typo" in history
    assert "My device does not attach" in history
    thread_html = main_html(client.get(board["unanswered"].get_absolute_url()))
    assert '(<a href="/community/p/' in thread_html and "history</a>)" in thread_html
    client.force_login(other_member)
    assert client.get(f"/community/p/{question.pk}/history/").status_code == 403
    thread_html = main_html(client.get(board["unanswered"].get_absolute_url()))
    assert "history</a>" not in thread_html


def test_vote_json_toggle(client, board, trusted_member):
    post = board["member"].posts.get(number=3)
    client.force_login(trusted_member)
    url = f"/community/p/{post.pk}/vote/"
    response = client.post(url, {"action": "toggle"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"voted": True, "helpful_count": 1}
    response = client.post(url, {"action": "toggle"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"voted": False, "helpful_count": 0}
    own = board["member"].posts.get(number=2)
    response = client.post(f"/community/p/{own.pk}/vote/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == "You cannot vote for your own post."


def test_accept_and_official_views(client, board, trusted_member, staff_user):
    thread = board["staff"]
    staff_reply = thread.posts.get(number=2)
    client.force_login(trusted_member)
    response = client.post(f"/community/t/{thread.pk}/accept/", {"post": staff_reply.pk})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.SOLVED and thread.accepted_answer == staff_reply
    assert [
        t.split(":")[0] for t in titles_in(client.get("/community/threads/?filter=solved"))
    ] == [
        "Staff",
        "Solved",
    ]
    client.post(f"/community/t/{thread.pk}/accept/", {"action": "unaccept"})
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN
    response = client.post(f"/community/t/{thread.pk}/accept/", {"post": "nonsense"})
    assert response.status_code == 400
    client.force_login(staff_user)
    client.post(f"/community/p/{staff_reply.pk}/official/", {"action": "mark"})
    staff_reply.refresh_from_db()
    assert staff_reply.is_official_answer


def test_preview_endpoint(client, trusted_member, new_member):
    response = client.post("/community/preview/", {"body": "x"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    client.force_login(trusted_member)
    response = client.post(
        "/community/preview/",
        {"body": "# Title\n\n**b** <script>alert(1)</script> https://example.com"},
    )
    data = response.json()
    assert data["links_allowed"] is True
    assert "<h3>Title</h3>" in data["html"]
    assert "&lt;script&gt;" in data["html"]
    assert 'rel="nofollow ugc noopener"' in data["html"]
    client.force_login(new_member)
    data = client.post("/community/preview/", {"body": "see https://example.com"}).json()
    assert data["links_allowed"] is False
    assert "<a " not in data["html"]
    response = client.post("/community/preview/", {"body": "x" * 30_001})
    assert response.status_code == 400
    assert client.get("/community/preview/").status_code == 405


def test_similar_endpoint(client, board, new_member, category):
    make_thread(new_member, category, title="Held question about SIM state")
    response = client.get("/community/similar/", {"q": "SIM stuck state"})
    data = response.json()
    assert data["query"] == "SIM stuck state"
    assert data["results"][0] == {
        "kind": "thread",
        "title": "Solved: SIM stuck in a state",
        "url": board["solved"].get_absolute_url(),
        "snippet": "My device does not attach. What APN should I use?",
        "solved": True,
        "staff_answered": False,
    }
    assert all("Held" not in r["title"] for r in data["results"])
    assert client.get("/community/similar/", {"q": "a"}).json()["results"] == []
    assert client.get("/community/similar/", {"q": "the and of"}).json()["results"] == []


def test_triage(client, board, staff_user, trusted_member, category):
    client.force_login(staff_user)
    fresh = make_thread(trusted_member, category, title="Fresh: brand new question")
    response = client.get("/community/triage/?hours=0")
    titles = [t.split(":")[0] for t in titles_in(response)]
    assert titles == ["Fresh", "Unanswered"]
    response = client.get("/community/triage/?hours=5")
    assert [t.split(":")[0] for t in titles_in(response)] == []
    response = client.get("/community/triage/?view=no_staff&hours=0")
    assert [t.split(":")[0] for t in titles_in(response)] == ["Fresh", "Unanswered", "Member"]
    assert "No staff reply (3)" in main_html(response)
    assert fresh.pk


def test_feeds(client, board, new_member, category):
    make_thread(new_member, category, title="Held question must not be in feeds")
    services.create_thread(
        author=board["solved"].author,
        category=category,
        title="Tagged thread about LTE-M",
        body="Body with <b>html</b> and **markdown**",
        tags="lte-m",
    )
    rss = client.get(f"/community/c/{category.slug}/feed.rss")
    assert rss["Content-Type"].startswith("application/rss+xml")
    root = parse_xml(rss.content)
    titles = [item.findtext("title") for item in root.iter("item")]
    assert "Tagged thread about LTE-M" in titles
    assert "Held question must not be in feeds" not in titles
    atom = client.get(f"/community/c/{category.slug}/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = parse_xml(atom.content).findall("a:entry", ns)
    assert len(entries) == 5
    tag_rss = parse_xml(client.get("/community/tags/lte-m/feed.rss").content)
    assert [i.findtext("title") for i in tag_rss.iter("item")] == ["Tagged thread about LTE-M"]
    description = next(tag_rss.iter("item")).findtext("description")
    assert description == "Body with <b>html</b> and markdown"  # plain text (escaped in XML)
    assert client.get("/community/tags/nope/feed.rss").status_code == 404


def test_escalation_option_for_staff(client, board, staff_user):
    client.force_login(staff_user)
    html = main_html(client.get(board["member"].get_absolute_url()))
    assert 'class="escalation card"' in html
    assert "Promote to a private ticket" in html
    client.logout()
    html = main_html(client.get(board["member"].get_absolute_url()))
    assert "escalation" not in html


def test_held_post_visible_to_author_only(client, board, new_member):
    thread = board["member"]
    post = make_reply(new_member, thread, body="Held reply text")
    assert post.moderation_state == PostState.HELD
    assert "Held reply text" not in main_html(client.get(thread.get_absolute_url()))
    client.force_login(new_member)
    html = main_html(client.get(thread.get_absolute_url()))
    assert "Held reply text" in html
    assert "Waiting for a moderator's approval" in html


def test_an_absurd_page_number_shows_the_last_page(client, board):
    response = client.get(board["member"].get_absolute_url(), {"page": "9" * 80})
    assert response.status_code == 200
