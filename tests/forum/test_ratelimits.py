"""forum.ratelimits: per user and per IP, stricter for new members, with a clear message."""

from django.core.cache import cache
from django.test import RequestFactory, override_settings

import pytest

from forum import ratelimits
from forum.models import TrustLevel


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_new_members_are_limited_sooner(new_member, trusted_member):
    now = 1_000_000.0
    results_new = [ratelimits.check_user(new_member, "post", now=now) for _ in range(4)]
    assert results_new[:3] == [None, None, None]
    refusal = results_new[3]
    assert refusal is not None
    assert "posting too fast" in refusal.message and "minute" in refusal.message
    results_member = [ratelimits.check_user(trusted_member, "post", now=now) for _ in range(4)]
    assert results_member == [None] * 4


def test_window_resets(new_member):
    now = 1_000_000.0
    for _ in range(3):
        assert ratelimits.check_user(new_member, "flag", now=now) is None
    assert ratelimits.check_user(new_member, "flag", now=now) is not None
    assert ratelimits.check_user(new_member, "flag", now=now + 3600) is None


def test_per_ip_limit_applies_across_accounts(user_factory):
    limits = {"vote": {"ip": [(2, 60)], TrustLevel.NEW: [(100, 60)]}}
    users = [user_factory(email=f"v{i}@example.com") for i in range(3)]
    with override_settings(FORUM_RATE_LIMITS=limits):
        assert ratelimits.check_user(users[0], "vote", "10.0.0.1", now=5000) is None
        assert ratelimits.check_user(users[1], "vote", "10.0.0.1", now=5000) is None
        assert ratelimits.check_user(users[2], "vote", "10.0.0.1", now=5000) is not None
        assert ratelimits.check_user(users[2], "vote", "10.0.0.2", now=5000) is None


def test_moderators_are_not_limited(moderator):
    for _ in range(200):
        assert ratelimits.check_user(moderator, "post", "10.0.0.9") is None


def test_check_reads_request(new_member):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    request.user = new_member
    messages = [ratelimits.check(request, "flag") for _ in range(4)]
    assert messages[:3] == [None] * 3
    assert messages[3].startswith("You are flagging posts too fast")


def test_reply_view_shows_message(client, new_member, thread):
    client.force_login(new_member)
    url = f"/community/t/{thread.pk}/reply/"
    statuses = [
        client.post(url, {"body": f"Is the APN case sensitive? Attempt {i}"}).status_code
        for i in range(4)
    ]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 400
    response = client.post(url, {"body": "One more attempt at a reply"})
    assert "too fast" in response.content.decode()


def test_flag_view_rate_limited(client, new_member, thread, user_factory):
    from forum.factories import make_reply, set_trust

    client.force_login(new_member)
    posts = []
    for i in range(4):
        author = user_factory(email=f"a{i}@example.com")
        set_trust(author, TrustLevel.MEMBER)
        posts.append(make_reply(author, thread, body=f"Reply {i} with some text"))
    codes = [
        client.post(f"/community/p/{p.pk}/flag/", {"reason": "spam"}).status_code for p in posts
    ]
    assert codes == [302, 302, 302, 400]
