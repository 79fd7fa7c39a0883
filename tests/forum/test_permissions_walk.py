"""Walk every forum URL as anonymous, new member, member, author, moderator and staff.

Each case is (method, url builder, POST data builder, expected status per role). The world:
- `thread` in "APN & data" asked by the AUTHOR, with a reply `reply` by another member;
- `held_post`: a held reply by a different new member (only they and moderators see it);
- `held_thread`: a held thread by that new member;
- a staff-only category "Announcements".
Statuses: 200 page, 302 redirect (after a successful POST, or to log in for anonymous),
301 canonical redirect, 403 refused with a reason, 404 not visible.

To add URLs (moderation, notifications ...), append cases to CASES; keep the mutating POSTs
at the end (they run in order for each role).
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group

import pytest

from forum.models import Post, PostState, ThreadStatus, TrustLevel
from resourcecenter.roles import (
    ANALYSTS_GROUP,
    COMMUNITY_MODERATORS_GROUP,
)
from tests.forum.factories import CategoryFactory, make_reply, make_thread, set_trust

ROLES = ["anonymous", "new", "member", "author", "moderator", "staff"]


def everyone(status):
    return dict.fromkeys(ROLES, status)


def only(allowed, status_ok, status_denied=403, anonymous=302):
    expected = dict.fromkeys(ROLES, status_denied)
    expected["anonymous"] = anonymous
    for role in allowed:
        expected[role] = status_ok
    return expected


SIGNED_IN = ["new", "member", "author", "moderator", "staff"]
OWNER = ["author", "moderator", "staff"]
MODS = ["moderator", "staff"]


@dataclass
class Case:
    method: str
    url: object  # callable(world) -> str
    expected: dict
    data: object = field(default=None)  # callable(world) -> dict
    accept_json: bool = False


@dataclass
class World:
    users: dict
    category: object
    staff_category: object
    thread: object
    question: object
    reply: object
    held_post: object
    held_thread: object


@pytest.fixture
def world(user_factory):
    def user(email, name, level=TrustLevel.MEMBER, groups=(), **extra):
        u = user_factory(email=email, display_name=name, **extra)
        for group in groups:
            u.groups.add(Group.objects.get_or_create(name=group)[0])
        set_trust(u, level)
        return type(u).objects.get(pk=u.pk)

    users = {
        "anonymous": None,
        "new": user("new@example.com", "Newton", TrustLevel.NEW),
        "member": user("member2@example.com", "Mem"),
        "author": user("author@example.com", "Asker"),
        "moderator": user("mod@example.com", "Mod", groups=[COMMUNITY_MODERATORS_GROUP]),
        "staff": user("staff@example.com", "Dana", groups=[ANALYSTS_GROUP]),
    }
    replier = user("replier@example.com", "Riley")
    newcomer = user("newcomer@example.com", "Nico", TrustLevel.NEW)
    category = CategoryFactory(name="APN & data", slug="apn-data")
    staff_category = CategoryFactory(name="Announcements", slug="news", staff_only_posting=True)
    thread = make_thread(users["author"], category, tags="lte-m")
    reply = make_reply(replier, thread, body="Use the APN iot.example")
    held_post = make_reply(newcomer, thread, body="Held reply from a newcomer")
    held_thread = make_thread(newcomer, category, title="A held question from a newcomer")
    assert held_post.moderation_state == PostState.HELD
    return World(
        users=users,
        category=category,
        staff_category=staff_category,
        thread=thread,
        question=thread.posts.get(number=1),
        reply=reply,
        held_post=held_post,
        held_thread=held_thread,
    )


def u_thread(w):
    return w.thread.get_absolute_url()


CASES = [
    # --- reading ---
    Case("GET", lambda w: "/community/", everyone(200)),
    Case("GET", lambda w: "/community/threads/", everyone(200)),
    Case("GET", lambda w: "/community/threads/?sort=unanswered&filter=staff", everyone(200)),
    Case("GET", lambda w: f"/community/c/{w.category.slug}/", everyone(200)),
    Case("GET", lambda w: "/community/c/no-such-category/", everyone(404)),
    Case("GET", lambda w: "/community/tags/lte-m/", everyone(200)),
    Case("GET", u_thread, everyone(200)),
    Case("GET", lambda w: f"/community/t/{w.thread.pk}/wrong-slug/", everyone(301)),
    Case("GET", lambda w: f"/community/t/{w.thread.pk}/", everyone(301)),
    Case("GET", lambda w: f"/community/p/{w.reply.pk}/", everyone(302)),
    Case(
        "GET",
        lambda w: f"/community/p/{w.held_post.pk}/",
        {**everyone(404), "moderator": 302, "staff": 302},
    ),
    Case(
        "GET",
        lambda w: w.held_thread.get_absolute_url(),
        {**everyone(404), "moderator": 200, "staff": 200},
    ),
    Case("GET", lambda w: f"/community/c/{w.category.slug}/feed.rss", everyone(200)),
    Case("GET", lambda w: f"/community/c/{w.category.slug}/feed.atom", everyone(200)),
    Case("GET", lambda w: "/community/tags/lte-m/feed.rss", everyone(200)),
    Case("GET", lambda w: "/community/tags/lte-m/feed.atom", everyone(200)),
    Case("GET", lambda w: "/community/similar/?q=configure+APN", everyone(200)),
    Case("GET", lambda w: f"/community/p/{w.question.pk}/history/", only(OWNER, 200)),
    Case("GET", lambda w: f"/community/p/{w.reply.pk}/history/", only(MODS, 200)),
    Case("GET", lambda w: "/community/triage/", only(["staff"], 200)),
    # --- forms ---
    Case("GET", lambda w: "/community/ask/", only(SIGNED_IN, 200)),
    Case("GET", lambda w: f"/community/t/{w.thread.pk}/reply/", only(SIGNED_IN, 200)),
    Case(
        "GET",
        lambda w: f"/community/t/{w.thread.pk}/reply/?quote={w.reply.pk}",
        only(SIGNED_IN, 200),
    ),
    Case("GET", lambda w: f"/community/p/{w.question.pk}/edit/", only(OWNER, 200)),
    Case("GET", lambda w: f"/community/p/{w.reply.pk}/edit/", only(MODS, 200)),
    # The question has replies: its author may no longer delete it.
    Case("GET", lambda w: f"/community/p/{w.question.pk}/delete/", only(MODS, 200)),
    Case("GET", lambda w: f"/community/p/{w.reply.pk}/delete/", only(MODS, 200)),
    # --- JSON helpers ---
    Case(
        "POST",
        lambda w: "/community/preview/",
        only(SIGNED_IN, 200, anonymous=403),
        data=lambda w: {"body": "**bold** https://example.com"},
        accept_json=True,
    ),
    # --- actions (mutating; order matters) ---
    Case(
        "POST",
        lambda w: f"/community/p/{w.reply.pk}/vote/",
        only(SIGNED_IN, 302),
        data=lambda w: {"action": "toggle"},
    ),
    Case(
        "POST",
        lambda w: f"/community/p/{w.question.pk}/vote/",
        only(["new", "member", "moderator", "staff"], 302),  # not the author's own post
        data=lambda w: {"action": "toggle"},
    ),
    Case(
        "POST",
        lambda w: f"/community/t/{w.thread.pk}/reply/",
        only(SIGNED_IN, 302),
        data=lambda w: {"body": "A reply from the walk"},
    ),
    Case(
        "POST",
        lambda w: f"/community/p/{w.question.pk}/edit/",
        only(["author", "moderator", "staff"], 302),
        data=lambda w: {"title": "How do I configure the APN, edited", "body": "Edited body"},
    ),
    Case(
        "POST",
        lambda w: f"/community/t/{w.thread.pk}/accept/",
        only(["author", "staff"], 302),
        data=lambda w: {"post": w.reply.pk},
    ),
    Case(
        "POST",
        lambda w: f"/community/p/{w.reply.pk}/official/",
        only(["staff"], 302),
        data=lambda w: {"action": "mark"},
    ),
    Case(
        "POST",
        lambda w: f"/community/p/{w.reply.pk}/delete/",
        only(["moderator", "staff"], 302),
        data=lambda w: {"reason": "Walk test removal"},
    ),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_forum_url(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    failures = []
    for case in CASES:
        url = case.url(world)
        headers = {"HTTP_ACCEPT": "application/json"} if case.accept_json else {}
        if case.method == "GET":
            response = client.get(url, **headers)
        else:
            response = client.post(url, case.data(world) if case.data else {}, **headers)
        expected = case.expected[role]
        if response.status_code != expected:
            failures.append(f"{case.method} {url}: {response.status_code}, expected {expected}")
    assert failures == [], "\n".join(failures)


def test_anonymous_is_sent_to_log_in(client, world):
    for url in ("/community/ask/", f"/community/t/{world.thread.pk}/reply/", "/community/triage/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(f"/community/p/{world.reply.pk}/vote/", {"action": "toggle"})
    assert response["Location"].startswith("/accounts/login/")


def test_walk_outcomes(client, world):
    """The mutating cases did what they say for the roles allowed to do them."""
    client.force_login(world.users["new"])
    client.post(f"/community/t/{world.thread.pk}/reply/", {"body": "New member's reply"})
    assert Post.objects.get(body_markdown="New member's reply").moderation_state == PostState.HELD
    client.force_login(world.users["author"])
    client.post(f"/community/t/{world.thread.pk}/accept/", {"post": world.reply.pk})
    world.thread.refresh_from_db()
    assert world.thread.status == ThreadStatus.SOLVED
    client.force_login(world.users["member"])
    response = client.post(f"/community/t/{world.thread.pk}/accept/", {"post": world.reply.pk})
    assert response.status_code == 403
    assert b"Only the person who asked or support staff" in response.content


def test_staff_only_category_ask(client, world):
    client.force_login(world.users["member"])
    response = client.post(
        "/community/ask/",
        {
            "category": world.staff_category.pk,
            "title": "Can I post an announcement here?",
            "body": "Trying",
        },
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    client.force_login(world.users["staff"])
    response = client.post(
        "/community/ask/",
        {
            "category": world.staff_category.pk,
            "title": "Planned maintenance on the SMS gateway",
            "body": "Details",
        },
    )
    assert response.status_code == 302
