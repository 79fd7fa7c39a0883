"""The URL permission walk (tests/forum/test_permissions_walk.py) extended with every
moderation, flagging, notification and admin-queue URL, for the same six roles and world."""

import pytest

from forum.models import Flag, PostState, Subscription
from tests.forum.test_permissions_walk import (  # noqa: F401 - `world` is a fixture
    MODS,
    ROLES,
    SIGNED_IN,
    Case,
    everyone,
    only,
    world,
)

NOT_AUTHOR = ["new", "member", "moderator", "staff"]
THREAD_TOOLS = ["move", "merge", "split", "duplicate"]


def _tool_url(tool):
    return lambda w: f"/community/mod/t/{w.thread.pk}/{tool}/"


MOD_CASES = [
    # --- flagging ---
    Case("GET", lambda w: f"/community/p/{w.reply.pk}/flag/", only(SIGNED_IN, 200)),
    Case("GET", lambda w: f"/community/p/{w.question.pk}/flag/", only(NOT_AUTHOR, 200)),
    Case(
        "GET",
        lambda w: f"/community/p/{w.held_post.pk}/flag/",
        {**everyone(404), "anonymous": 302, "moderator": 403, "staff": 403},
    ),
    # --- inline moderator controls (forms) ---
    Case("GET", lambda w: f"/community/mod/p/{w.held_post.pk}/approve/", only(MODS, 200)),
    Case("GET", lambda w: f"/community/mod/p/{w.reply.pk}/hide/", only(MODS, 200)),
    Case("GET", lambda w: f"/community/mod/p/{w.reply.pk}/restore/", only(MODS, 200)),
    Case("GET", lambda w: f"/community/mod/p/{w.reply.pk}/explode/", everyone(404)),
    *[Case("GET", _tool_url(tool), only(MODS, 200)) for tool in THREAD_TOOLS],
    Case("GET", lambda w: f"/community/mod/t/{w.thread.pk}/close/", only(MODS, 200)),
    Case("GET", lambda w: f"/community/mod/t/{w.thread.pk}/explode/", everyone(404)),
    # --- notifications ---
    Case("GET", lambda w: "/community/notifications/", only(SIGNED_IN, 200)),
    Case("GET", lambda w: "/community/notifications/settings/", only(SIGNED_IN, 200)),
    Case("GET", lambda w: "/community/notifications/999999/", only(SIGNED_IN, 404)),
    Case("GET", lambda w: "/community/unsubscribe/not-a-valid-token/", everyone(400)),
    # --- the Wagtail admin: the moderation queue, the log, members ---
    Case("GET", lambda w: "/admin/forum/queue/", only(MODS, 200, status_denied=302)),
    Case("GET", lambda w: f"/admin/forum/queue/{w.held_post.pk}/review/",
         only(MODS, 200, status_denied=302)),
    Case("GET", lambda w: "/admin/forum/log/", only(MODS, 200, status_denied=302)),
    Case("GET", lambda w: "/admin/forum/members/", only(MODS, 200, status_denied=302)),
    Case("GET", lambda w: f"/admin/bulk/forum/post/forum_approve/?id={w.held_post.pk}",
         only(MODS, 200, status_denied=302)),
    # --- actions (mutating; order matters) ---
    Case("POST", lambda w: f"/community/watch/t/{w.thread.pk}/", only(SIGNED_IN, 302),
         data=lambda w: {"action": "watch"}),
    Case("POST", lambda w: f"/community/c/{w.category.slug}/watch/", only(SIGNED_IN, 302),
         data=lambda w: {"action": "watch"}),
    Case("POST", lambda w: "/community/notifications/settings/", only(SIGNED_IN, 302),
         data=lambda w: {"frequency": "daily"}),
    Case("POST", lambda w: "/community/notifications/", only(SIGNED_IN, 302)),
    Case("POST", lambda w: f"/community/p/{w.reply.pk}/flag/", only(SIGNED_IN, 302),
         data=lambda w: {"reason": "spam", "note": "walk"}),
    Case("POST", lambda w: f"/community/mod/t/{w.thread.pk}/pin/", only(MODS, 302)),
    Case("POST", lambda w: f"/community/mod/p/{w.held_post.pk}/approve/", only(MODS, 302),
         data=lambda w: {"reason": ""}),
    Case("POST", lambda w: f"/community/mod/p/{w.reply.pk}/hide/", only(MODS, 302),
         data=lambda w: {"reason": "Walk test"}),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_walk_moderation_and_notification_urls(client, world, role):  # noqa: F811
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    failures = []
    for case in MOD_CASES:
        url = case.url(world)
        if case.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, case.data(world) if case.data else {})
        expected = case.expected[role]
        if response.status_code != expected:
            failures.append(f"{case.method} {url}: {response.status_code}, expected {expected}")
    assert failures == [], "\n".join(failures)
    # What the allowed roles did actually happened; refused roles changed nothing.
    world.thread.refresh_from_db()
    world.held_post.refresh_from_db()
    world.reply.refresh_from_db()
    is_mod = role in MODS
    assert world.thread.pinned is is_mod
    assert (world.held_post.moderation_state == PostState.APPROVED) is is_mod
    assert (world.reply.moderation_state == PostState.HIDDEN) is is_mod
    if user is not None:
        assert Flag.objects.filter(reporter=user, post=world.reply).exists()
        assert Subscription.objects.filter(user=user, category=world.category).exists()
    else:
        assert (
            not Flag.objects.exists()
            and not Subscription.objects.filter(category=world.category).exists()
        )
