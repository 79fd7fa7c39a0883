"""Issue 3's browser journey in Chromium: a new member asks (and sees similar threads while
typing), the question is held; a moderator approves it from the thread page; a staff member
replies (Staff badge); the author accepts it; the list shows Solved; watchers got e-mail; no
console errors anywhere."""

import re

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client

import pytest

from forum.models import Post, PostState, Subscription, Thread, ThreadState, TrustLevel
from resourcecenter.roles import (
    ANALYSTS_GROUP,
    COMMUNITY_MODERATORS_GROUP,
)
from tests.forum.factories import CategoryFactory, make_thread, set_trust

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "APN not working after the firmware update"


def _login(page, live_server, user):
    """Sign `user` in for the browser by handing it a real session cookie."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _group_with_admin_access(name):
    """The group as migration forum 0003 leaves it; transactional tests flush that data."""
    group = Group.objects.get_or_create(name=name)[0]
    admin_type = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")[0]
    permission = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access admin"}
    )[0]
    group.permissions.add(permission)
    return group


@pytest.fixture
def community(user_factory):
    def user(email, name, level=TrustLevel.MEMBER, group=None):
        u = user_factory(email=email, display_name=name)
        if group:
            u.groups.add(_group_with_admin_access(group))
        set_trust(u, level)
        return type(u).objects.get(pk=u.pk)

    category = CategoryFactory(name="APN & data", slug="apn-data")
    veteran = user("veteran@example.com", "Vera")
    make_thread(
        veteran,
        category,
        title="APN not working on a Quectel BG96 module",
        body="Attaches but no data. APN set with AT+CGDCONT.",
    )
    watcher = user("watcher@example.com", "Wally")
    Subscription.objects.create(user=watcher, category=category)
    return {
        "category": category,
        "newbie": user("newbie@example.com", "Nina", TrustLevel.NEW),
        "moderator": user("mod@example.com", "Mo", TrustLevel.TRUSTED, COMMUNITY_MODERATORS_GROUP),
        "staff": user("dana@example.com", "Dana", TrustLevel.TRUSTED, ANALYSTS_GROUP),
        "watcher": watcher,
    }


def test_ask_hold_approve_staff_answer_accept_solved(live_server, page, community):
    base = live_server.url
    newbie, moderator, staff = community["newbie"], community["moderator"], community["staff"]

    # 1. A new member asks; similar threads appear while the title is typed.
    _login(page, live_server, newbie)
    page.goto(base + "/community/ask/")
    page.select_option("select[name=category]", str(community["category"].pk))
    page.locator("input[name=title]").press_sequentially("APN not working", delay=40)
    suggestion = page.locator("[data-similar-list] li").first
    suggestion.wait_for(state="visible", timeout=10_000)
    assert "BG96" in page.locator("[data-similar-list]").inner_text()
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=body]").fill(
        "Since updating the modem firmware the device attaches but gets no IP address."
    )
    page.get_by_role("button", name="Post your question").click()
    page.wait_for_url(re.compile(r"/community/t/\d+/"))
    assert "waiting for a moderator" in page.content()
    thread = Thread.objects.get(title=TITLE)
    assert thread.moderation_state == ThreadState.HELD
    assert thread.posts.get().moderation_state == PostState.HELD

    # 2. A moderator approves it with the inline control on the thread page.
    _login(page, live_server, moderator)
    page.goto(base + thread.get_absolute_url())
    page.locator("[data-mod-approve]").click()
    page.wait_for_load_state()
    thread.refresh_from_db()
    assert thread.moderation_state == ThreadState.VISIBLE

    # 3. A staff member replies: the reply carries the Staff badge.
    _login(page, live_server, staff)
    page.goto(base + thread.get_absolute_url())
    page.locator("form.reply-form textarea[name=body]").fill(
        "The update resets the PDP contexts. Set the APN again with "
        '`AT+CGDCONT=1,"IP","iot.example"` and reboot.'
    )
    page.locator("form.reply-form").get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"/community/t/\d+/"))
    staff_post = Post.objects.get(thread=thread, number=2)
    assert staff_post.is_staff_answer
    article = page.locator(f"#post-{staff_post.pk}")
    assert article.locator(".badge-staff").inner_text() == "Staff"

    # 4. The author accepts the staff answer.
    _login(page, live_server, newbie)
    page.goto(base + thread.get_absolute_url())
    page.locator(f"#post-{staff_post.pk}").get_by_role("button", name="Accept as answer").click()
    page.wait_for_load_state()
    thread.refresh_from_db()
    assert thread.accepted_answer_id == staff_post.pk

    # 5. The thread list shows it as solved.
    page.goto(base + "/community/threads/")
    row = page.locator("li, tr, article").filter(has_text=TITLE).last
    assert "Solved" in row.inner_text()

    # 6. The watchers were told by e-mail: the category watcher about the new thread, the
    #    author (who watches their thread) about the staff reply.
    by_recipient = {tuple(m.to): m.subject for m in mail.outbox}
    assert TITLE in by_recipient[(community["watcher"].email,)]
    assert any(
        newbie.email in m.to and "replied in" in m.subject and TITLE in m.subject
        for m in mail.outbox
    )
    # The header shows the author's unread notifications.
    page.goto(base + "/community/")
    assert page.locator(".notifications-link .badge-count").count() == 1

    assert page.console_errors == []


def test_moderator_bulk_approves_in_the_wagtail_queue(live_server, page, community):
    """The queue in the Wagtail admin: select held posts, bulk-approve with the footer."""
    newbie, moderator = community["newbie"], community["moderator"]
    category = community["category"]
    held = [
        make_thread(newbie, category, title="SIM stuck in Activation pending state"),
        make_thread(newbie, category, title="SMS delivery delayed by several hours"),
    ]
    _login(page, live_server, moderator)
    page.goto(live_server.url + "/admin/forum/queue/")
    for thread in held:
        post = thread.posts.get()
        page.locator(f"input[data-bulk-action-checkbox][data-object-id='{post.pk}']").check()
    footer = page.locator("[data-bulk-action-footer]")
    footer.get_by_role("link", name="Approve").click()
    page.wait_for_url(re.compile(r"/admin/bulk/forum/post/forum_approve/"))
    page.locator("textarea[name=reason]").fill("Checked: genuine questions")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r"/admin/forum/queue/"))
    assert (
        Thread.objects.filter(pk__in=[t.pk for t in held], moderation_state="visible").count() == 2
    )
    assert "Approve: 2 post(s) changed." in page.content()
    page.goto(live_server.url + "/admin/forum/log/")
    assert page.get_by_text("Checked: genuine questions").count() == 2
    assert page.console_errors == []
