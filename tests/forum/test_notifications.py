"""forum.notifications: watching, in-site notices, e-mail (immediate / digest / off), signed
unsubscribe links that work without logging in, mentions, the header's unread count."""

import re
from datetime import timedelta

from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

import pytest

from forum import notifications, watching
from forum.models import (
    Member,
    Notification,
    NotificationFrequency,
    NotificationKind,
    Subscription,
)
from forum.services import accept_answer
from tests.forum.factories import make_reply, make_thread


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Signals (and queued e-mail) go out after commit; run those callbacks, nested too."""

    class Runner:
        def __enter__(self):
            self.ctx = django_capture_on_commit_callbacks(execute=True)
            return self.ctx.__enter__()

        def __exit__(self, *exc):
            return self.ctx.__exit__(*exc)

    return Runner


def test_author_watches_and_hears_about_replies_by_email(
    run_on_commit, trusted_member, other_member, category
):
    with run_on_commit():
        thread = make_thread(trusted_member, category, title="SMS delivery delayed by hours")
    assert Subscription.objects.filter(user=trusted_member, thread=thread).exists()
    mail.outbox.clear()
    with run_on_commit():
        make_reply(other_member, thread, body="Is the device in PSM?")
    note = Notification.objects.get(recipient=trusted_member)
    assert note.kind == NotificationKind.REPLY and note.emailed_at is not None
    assert not Notification.objects.filter(recipient=other_member).exists()  # not the actor
    [message] = mail.outbox
    assert message.to == [trusted_member.email]
    assert "replied in “SMS delivery delayed by hours”" in message.subject
    assert "Is the device in PSM?" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert "/community/unsubscribe/" in message.body


def test_category_watchers_hear_about_new_threads(
    run_on_commit, trusted_member, other_member, category, client
):
    client.force_login(other_member)
    response = client.post(f"/community/c/{category.slug}/watch/", {"action": "watch"})
    assert response.status_code == 302
    with run_on_commit():
        make_thread(trusted_member, category, title="Roaming in Brazil does not work")
    note = Notification.objects.get(recipient=other_member)
    assert note.kind == NotificationKind.NEW_THREAD
    assert "category" in mail.outbox[-1].body


def test_held_posts_notify_nobody_until_approved(
    run_on_commit, new_member, other_member, category, moderator
):
    from forum import moderation

    Subscription.objects.create(user=other_member, category=category)
    with run_on_commit():
        thread = make_thread(new_member, category, title="BG77 never registers on LTE-M")
    assert not Notification.objects.exists()
    with run_on_commit():
        moderation.approve_posts([thread.posts.get()], by=moderator)
    assert Notification.objects.filter(recipient=other_member).count() == 1


def test_mentions_notify(run_on_commit, trusted_member, other_member, thread):
    handle = Member.objects.get(user=trusted_member).handle
    with run_on_commit():
        make_reply(other_member, thread, body=f"@{handle} did you try the other APN?")
    kinds = list(
        Notification.objects.filter(recipient=trusted_member).values_list("kind", flat=True)
    )
    assert kinds == [NotificationKind.MENTION]  # one notice, not a reply notice as well


def test_accepted_answer_notifies_answerer(run_on_commit, thread, reply, trusted_member):
    with run_on_commit():
        accept_answer(thread=thread, post=reply, by=trusted_member)
    assert Notification.objects.filter(
        recipient=reply.author, kind=NotificationKind.ACCEPTED
    ).exists()


def test_no_notification_for_threads_the_recipient_cannot_see(
    run_on_commit, trusted_member, other_member, category, moderator
):
    from forum import moderation

    with run_on_commit():
        thread = make_thread(trusted_member, category, title="Hidden discussion about SIMs")
    Subscription.objects.create(user=other_member, thread=thread)
    moderation.hide_posts([thread.posts.get()], by=moderator, reason="Hidden")
    with run_on_commit():
        make_reply(moderator, thread, body="A moderator's note")
    assert not Notification.objects.filter(recipient=other_member).exists()


def test_daily_digest_and_off(run_on_commit, trusted_member, other_member, category, user_factory):
    watching.set_frequency(trusted_member, NotificationFrequency.DAILY)
    with run_on_commit():
        thread = make_thread(trusted_member, category, title="Usage spike of 300 MB overnight")
    third = user_factory(email="third@example.com", display_name="Third")
    from tests.forum.factories import set_trust

    set_trust(third, "member")
    with run_on_commit():
        make_reply(other_member, thread, body="Firmware update loop?")
        make_reply(third, thread, body="Check the usage by hour in the portal.")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=trusted_member, emailed_at=None).count() == 2
    with run_on_commit():
        call_command("forum_send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [digest] = mail.outbox
    assert "2 updates" in digest.subject
    assert "Firmware update loop" not in digest.subject
    assert digest.body.count("replied in") == 2
    with run_on_commit():
        call_command("forum_send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1  # each notification goes out once
    watching.set_frequency(trusted_member, NotificationFrequency.OFF)
    with run_on_commit():
        make_reply(other_member, thread, body="Any news?")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=trusted_member).count() == 3  # in-site still


def test_unsubscribe_link_without_login(
    run_on_commit, client, trusted_member, other_member, category
):
    with run_on_commit():
        thread = make_thread(trusted_member, category, title="Webhook signatures never verify")
        make_reply(other_member, thread, body="Hash the raw body.")
    body = mail.outbox[-1].body
    url = re.search(r"Stop watching this thread: (\S+)", body).group(1)
    path = url.replace("http://testserver", "")
    response = client.get(path)  # GET only asks
    assert response.status_code == 200
    assert Subscription.objects.filter(user=trusted_member, thread=thread).exists()
    response = client.post(path)  # one click, no login, no CSRF token (RFC 8058)
    assert response.status_code == 200
    assert "no longer watch" in response.content.decode()
    assert not Subscription.objects.filter(user=trusted_member, thread=thread).exists()
    all_url = re.search(r"Stop all Community e-mail: (\S+)", body).group(1)
    client.post(all_url.replace("http://testserver", ""))
    assert Member.objects.get(user=trusted_member).notification_frequency == "off"


def test_unsubscribe_rejects_tampered_and_expired_tokens(client, trusted_member):
    token = watching.unsubscribe_token(trusted_member, "all")
    assert client.post(f"/community/unsubscribe/{token}x/").status_code == 400
    forged = signing.dumps({"u": trusted_member.pk, "s": "all", "o": None}, salt="other")
    assert client.post(f"/community/unsubscribe/{forged}/").status_code == 400
    old = timezone.now() - timedelta(days=400)
    signer = signing.TimestampSigner(salt=watching.UNSUBSCRIBE_SALT)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(signing.time, "time", lambda: old.timestamp())
        expired = watching.unsubscribe_token(trusted_member, "all")
    assert signer  # the same salt signs with a timestamp
    assert client.post(f"/community/unsubscribe/{expired}/").status_code == 400
    assert Member.objects.get(user=trusted_member).notification_frequency == "immediate"


def test_notification_pages_and_unread_count(
    run_on_commit, client, trusted_member, other_member, thread, django_assert_max_num_queries
):
    watching.watch_thread(trusted_member, thread)
    with run_on_commit():
        for i in range(3):
            make_reply(other_member, thread, body=f"Reply {i} about the APN")
    client.force_login(trusted_member)
    html = client.get("/community/").content.decode()
    assert 'class="badge badge-count">3</span>' in html
    response = client.get("/community/notifications/")
    assert response.status_code == 200
    assert response.content.decode().count("replied in") == 3
    note = Notification.objects.filter(recipient=trusted_member).first()
    response = client.get(f"/community/notifications/{note.pk}/")
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    client.post("/community/notifications/")
    assert notifications.unread_count(type(trusted_member).objects.get(pk=trusted_member.pk)) == 0
    # Someone else's notification is not reachable.
    client.force_login(other_member)
    assert client.get(f"/community/notifications/{note.pk}/").status_code == 404


def test_unread_count_is_one_bounded_query(trusted_member, django_assert_num_queries):
    Notification.objects.bulk_create(
        [Notification(recipient=trusted_member, kind="reply") for _ in range(150)]
    )
    with django_assert_num_queries(1):
        assert notifications.unread_count(trusted_member) == notifications.UNREAD_CAP + 1
    from forum.templatetags.forum_notifications import unread_label

    assert unread_label(100) == "99+"


def test_settings_page(client, trusted_member, thread):
    client.force_login(trusted_member)
    assert client.get("/community/notifications/settings/").status_code == 200
    response = client.post("/community/notifications/settings/", {"frequency": "weekly"})
    assert response.status_code == 400
    response = client.post("/community/notifications/settings/", {"frequency": "daily"})
    assert response.status_code == 302
    assert Member.objects.get(user=trusted_member).notification_frequency == "daily"


def test_watch_thread_view(client, other_member, thread):
    client.force_login(other_member)
    client.post(f"/community/watch/t/{thread.pk}/", {"action": "watch"})
    assert Subscription.objects.filter(user=other_member, thread=thread).exists()
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Watching" in html
    client.post(f"/community/watch/t/{thread.pk}/", {"action": "unwatch"})
    assert not Subscription.objects.filter(user=other_member, thread=thread).exists()


def test_category_page_watch_button(client, other_member, category):
    html = client.get(f"/community/c/{category.slug}/").content.decode()
    assert "Watch this category" not in html  # anonymous visitors cannot watch
    client.force_login(other_member)
    html = client.get(f"/community/c/{category.slug}/").content.decode()
    assert "Watch this category" in html
    client.post(f"/community/c/{category.slug}/watch/", {"action": "watch"})
    html = client.get(f"/community/c/{category.slug}/").content.decode()
    assert "Watching this category" in html


def test_digest_lists_latest_and_counts_the_rest(run_on_commit, trusted_member, thread):
    watching.set_frequency(trusted_member, NotificationFrequency.DAILY)
    Notification.objects.bulk_create(
        [
            Notification(recipient=trusted_member, kind="moderation", message=f"Notice {i}")
            for i in range(notifications.DIGEST_MAX + 5)
        ]
    )
    with run_on_commit():
        assert notifications.send_digests() == 1
    [digest] = mail.outbox
    assert "and 5 more" in digest.body
    assert f"{notifications.DIGEST_MAX + 5} updates" in digest.subject
    assert not Notification.objects.filter(recipient=trusted_member, emailed_at=None).exists()
