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
    from tests.forum.factories import make_reply, set_trust

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


def test_behind_a_proxy_each_client_has_its_own_ip_bucket(client, thread, user_factory):
    """With ALLAUTH_TRUSTED_PROXY_COUNT the forum counts the client's address, not the proxy's
    (REMOTE_ADDR is the proxy for everyone), and stores it on the post."""
    from forum.models import Post
    from tests.forum.factories import set_trust

    limits = {"post": {"ip": [(2, 600)], TrustLevel.MEMBER: [(100, 600)]}}
    authors = [user_factory(email=f"p{i}@example.com") for i in range(3)]
    for author in authors:
        set_trust(author, TrustLevel.MEMBER)
    url = f"/community/t/{thread.pk}/reply/"

    def reply(author, xff, n):
        client.force_login(author)
        body = {"body": f"Did you check the APN? Reply number {n}"}
        return client.post(url, body, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=xff)

    with override_settings(FORUM_RATE_LIMITS=limits, ALLAUTH_TRUSTED_PROXY_COUNT=1):
        assert reply(authors[0], "203.0.113.1", 1).status_code == 302
        # A spoofed leftmost entry does not give the same client a fresh bucket.
        assert reply(authors[1], "198.51.100.77, 203.0.113.1", 2).status_code == 302
        assert reply(authors[2], "198.51.100.78, 203.0.113.1", 3).status_code == 400
        # Another client behind the same proxy is not affected.
        assert reply(authors[2], "203.0.113.2", 4).status_code == 302
    addresses = list(
        Post.objects.filter(thread=thread, number__gt=1)
        .order_by("number")
        .values_list("ip_address", flat=True)
    )
    assert addresses == ["203.0.113.1", "203.0.113.1", "203.0.113.2"]


def test_without_the_setting_the_forum_ignores_x_forwarded_for(new_member):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    request.user = new_member
    assert ratelimits.client_ip(request) == "192.0.2.1"
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        assert ratelimits.client_ip(request) == "6.6.6.6"
