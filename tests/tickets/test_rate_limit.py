"""The fixed-window limiter on the test Redis (one pipelined round trip) and on local memory."""

import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from tickets.ratelimit import Rate, allow_all

NOW = 1_800_000_000.0


def fresh_key() -> str:
    return f"test:{uuid.uuid4().hex}"


def hits(key: str, rate: Rate, times: int, now: float = NOW) -> list[bool]:
    return [allow_all([(key, rate)], now=now)[0] for _ in range(times)]


@pytest.fixture
def redis_cache():
    backend = caches["default"]
    assert isinstance(backend, RedisCache), "make test runs with REDIS_URL set"
    return backend


def test_hits_within_the_limit_pass_and_the_next_is_refused(redis_cache):
    assert hits(fresh_key(), Rate(3, 60), 5) == [True, True, True, False, False]


def test_each_key_is_counted_on_its_own_in_one_call(redis_cache):
    tight, loose = fresh_key(), fresh_key()
    results = [allow_all([(tight, Rate(1, 60)), (loose, Rate(5, 60))], now=NOW) for _ in range(3)]
    assert results == [[True, True], [False, True], [False, True]]


def test_a_new_window_starts_from_zero(redis_cache):
    key, rate = fresh_key(), Rate(1, 60)
    assert hits(key, rate, 2, now=NOW) == [True, False]
    assert hits(key, rate, 1, now=NOW + 60) == [True]


def test_the_window_key_expires_after_its_window_and_later_hits_do_not_extend_it(redis_cache):
    key, rate = fresh_key(), Rate(10, 600)
    hits(key, rate, 1)
    client = redis_cache._cache.get_client()
    stored = redis_cache.make_and_validate_key(f"ratelimit:{key}:{int(NOW // 600)}")
    client.expire(stored, 5)  # as if the window were nearly over
    hits(key, rate, 3)
    assert 0 < client.ttl(stored) <= 5
    assert int(client.get(stored)) == 4


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-test"}
    }
)
def test_without_redis_the_limits_hold_in_local_memory():
    key = fresh_key()
    assert not isinstance(caches["default"], RedisCache)
    assert hits(key, Rate(2, 60), 3) == [True, True, False]
    assert allow_all([(key, Rate(2, 60)), (fresh_key(), Rate(2, 60))], now=NOW + 60) == [True, True]


def test_a_watched_key_is_read_but_not_counted_and_refuses_once_its_limit_is_reached(redis_cache):
    counted, watched, rate = fresh_key(), fresh_key(), Rate(2, 60)
    assert [allow_all([(counted, Rate(100, 60))], watch=[(watched, rate)], now=NOW) for _ in range(3)] == [
        [True, True]
    ] * 3
    assert hits(watched, rate, 2) == [True, True]  # two failures counted elsewhere
    assert allow_all([(counted, Rate(100, 60))], watch=[(watched, rate)], now=NOW) == [True, False]


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-watch"}
    }
)
def test_a_watched_key_works_the_same_in_local_memory():
    watched, rate = fresh_key(), Rate(1, 60)
    assert allow_all([], watch=[(watched, rate)], now=NOW) == [True]
    hits(watched, rate, 1)
    assert allow_all([], watch=[(watched, rate)], now=NOW) == [False]
