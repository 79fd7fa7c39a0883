"""resourcecenter.ratelimit: the one limiter (fixed windows in the cache, per policy and key)."""

from django.core.cache import cache

import pytest

from resourcecenter import ratelimit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_allows_up_to_the_count_then_says_how_long_to_wait():
    now = 7200.0 + 600  # ten minutes into a clock hour
    answers = [ratelimit.consume("p", "k", [(3, 3600)], now=now) for _ in range(4)]
    assert answers[:3] == [None, None, None]
    assert answers[3] == 3000 + 1  # the rest of the hour


def test_the_strictest_exceeded_window_decides_and_windows_reset():
    rates = [(2, 60), (3, 3600)]
    assert ratelimit.consume("p", "k", rates, now=0) is None
    assert ratelimit.consume("p", "k", rates, now=1) is None
    assert ratelimit.consume("p", "k", rates, now=2) == 59  # minute window full
    # Next minute: the minute window is fresh, but the hour has seen three attempts already.
    assert ratelimit.consume("p", "k", rates, now=61) == 3600 - 61 + 1


def test_policies_and_keys_count_apart():
    policy = ratelimit.Policy("one", ((1, 60),))
    assert policy.consume("a", now=10) is None
    assert policy.consume("a", now=11) is not None
    assert policy.consume("b", now=11) is None
    assert ratelimit.Policy("two", ((1, 60),)).consume("a", now=11) is None


def test_human_wait():
    assert ratelimit.human_wait(1) == "1 second"
    assert ratelimit.human_wait(45) == "45 seconds"
    assert ratelimit.human_wait(600) == "10 minutes"
    assert ratelimit.human_wait(7200) == "2 hours"
