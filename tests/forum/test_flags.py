"""forum.flags: members report posts; enough trusted flags hide a post pending review."""

from django.core.exceptions import ValidationError

import pytest

from forum import flags
from forum.models import Flag, ModerationLogEntry, PostState, TrustLevel
from forum.services import ForumPermissionDenied
from tests.forum.factories import set_trust


@pytest.fixture
def trusted_flaggers(user_factory):
    users = []
    for i in range(3):
        user = user_factory(email=f"trusted{i}@example.com", display_name=f"Trusted {i}")
        set_trust(user, TrustLevel.TRUSTED)
        users.append(user)
    return users


def test_flag_recorded_once_per_member(reply, trusted_member):
    flag = flags.flag_post(post=reply, reporter=trusted_member, reason="spam", note="Link farm")
    assert flag.reason == "spam" and flag.note == "Link farm"
    with pytest.raises(ValidationError) as error:
        flags.flag_post(post=reply, reporter=trusted_member, reason="offensive")
    assert "already flagged" in str(error.value)
    assert Flag.objects.count() == 1


def test_flag_validation(reply, trusted_member):
    with pytest.raises(ValidationError):
        flags.flag_post(post=reply, reporter=trusted_member, reason="boring")
    with pytest.raises(ValidationError) as error:
        flags.flag_post(post=reply, reporter=trusted_member, reason="other", note="")
    assert "Tell the moderators" in str(error.value)
    with pytest.raises(ValidationError):
        flags.flag_post(post=reply, reporter=trusted_member, reason="spam", note="x" * 501)


def test_cannot_flag_own_post(reply, other_member):
    with pytest.raises(ForumPermissionDenied):
        flags.flag_post(post=reply, reporter=other_member, reason="spam")


def test_enough_trusted_flags_hide_post(reply, thread, trusted_flaggers):
    for user in trusted_flaggers[:2]:
        flags.flag_post(post=reply, reporter=user, reason="spam")
    reply.refresh_from_db()
    assert reply.moderation_state == PostState.APPROVED
    flags.flag_post(post=reply, reporter=trusted_flaggers[2], reason="offensive")
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.moderation_state == PostState.HIDDEN
    assert thread.reply_count == 0
    entry = ModerationLogEntry.objects.get(action="auto_hide_post")
    assert entry.actor is None and "3 flags" in entry.reason


def test_flags_from_untrusted_members_do_not_hide(reply, user_factory):
    for i in range(5):
        user = user_factory(email=f"m{i}@example.com")
        set_trust(user, TrustLevel.MEMBER)
        flags.flag_post(post=reply, reporter=user, reason="spam")
    reply.refresh_from_db()
    assert reply.moderation_state == PostState.APPROVED
    assert Flag.objects.filter(post=reply).count() == 5


def test_flag_view(client, reply, trusted_member):
    url = f"/community/p/{reply.pk}/flag/"
    assert client.get(url).status_code == 302  # log in first
    client.force_login(trusted_member)
    html = client.get(reply.thread.get_absolute_url()).content.decode()
    assert url in html
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 400
    assert "Tell the moderators" in response.content.decode()
    response = client.post(url, {"reason": "spam", "note": "Selling SIMs"})
    assert response.status_code == 302
    assert Flag.objects.filter(post=reply, reporter=trusted_member).exists()
    assert "already flagged" in client.get(url).content.decode()


def test_flag_view_refuses_own_post(client, reply, other_member):
    client.force_login(other_member)
    assert client.get(f"/community/p/{reply.pk}/flag/").status_code == 403
