"""Fixed-window rate limits kept in the Django cache (Redis in production, so every web process
shares them). Keys never contain a NIK: callers pass its keyed digest."""

import time
import weakref
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """Parse "30/600" (30 hits per 600 seconds)."""
        try:
            limit, window = (int(part) for part in text.split("/"))
        except ValueError:
            raise ImproperlyConfigured(f"A rate must look like '30/600', got {text!r}") from None
        if limit < 1 or window < 1:
            raise ImproperlyConfigured(f"A rate needs a positive limit and window, got {text!r}")
        return cls(limit, window)


def allow_all(
    limits: list[tuple[str, Rate]], *, watch: list[tuple[str, Rate]] = (), now: float | None = None
) -> list[bool]:
    """Count one hit on each (key, rate) of `limits`; return, for each, whether the hit stays within
    its rate. Keys in `watch` are only read, not counted (their hits are counted by `allow_all`
    elsewhere, e.g. only for failures): each follows its `limits` answers, True while below its limit.
    """
    now = now or time.time()
    windows = [(_window_key(key, rate, now), rate) for key, rate in limits]
    watched = [(_window_key(key, rate, now), rate) for key, rate in watch]
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        hits, seen = _count_in_redis(cache, windows, watched)
    else:
        hits = [_count_in_cache(cache, window_key, rate) for window_key, rate in windows]
        seen = [cache.get(window_key, 0) for window_key, _rate in watched]
    counted = [count <= rate.limit for count, (_, rate) in zip(hits, windows)]
    return counted + [count < rate.limit for count, (_, rate) in zip(seen, watched)]


def _window_key(key: str, rate: Rate, now: float) -> str:
    return f"ratelimit:{key}:{int(now // rate.window)}"


def _count_in_redis(cache: RedisCache, windows, watched) -> tuple[list[int], list[int]]:
    # One round trip for every counter: INCR, then EXPIRE only where the key has no expiry yet
    # (NX), so each window's key dies after its window; GET for a watched one. Django's cache API
    # takes three round trips per key (add, exists, incr), and the status lookup is the hottest
    # public path.
    pipe = _writer(cache).pipeline(transaction=False)
    for window_key, rate in windows:
        cache_key = cache.make_and_validate_key(window_key)
        pipe.incr(cache_key)
        pipe.expire(cache_key, rate.window + 1, nx=True)
    for window_key, _rate in watched:
        pipe.get(cache.make_and_validate_key(window_key))
    replies = pipe.execute()
    counted = 2 * len(windows)
    return replies[:counted:2], [int(reply or 0) for reply in replies[counted:]]


_writers = weakref.WeakKeyDictionary()


def _writer(cache: RedisCache):
    # Django builds a new redis.Redis object on every get_client() call (~0.1 ms, more than the
    # round trip itself); keep one per cache connection (they are per thread).
    client = _writers.get(cache)
    if client is None:
        client = _writers[cache] = cache._cache.get_client(write=True)
    return client


def _count_in_cache(cache, window_key: str, rate: Rate) -> int:
    cache.add(window_key, 0, timeout=rate.window + 1)
    try:
        return cache.incr(window_key)
    except ValueError:  # expired between add and incr
        cache.set(window_key, 1, timeout=rate.window + 1)
        return 1


def client_ip(request, *, trust_forwarded: bool) -> str:
    """Return the client's address; X-Forwarded-For only when a trusted proxy sets it."""
    if trust_forwarded:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
