"""Fixed-window rate limits kept in the Django cache (Redis in production, so every web process
shares them). Keys never contain a NIK: callers pass its keyed digest."""
import time
from dataclasses import dataclass

from django.core.cache import cache
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


def allow(key: str, rate: Rate, *, now: float | None = None) -> bool:
    """Count one hit on `key`; return False when the hit goes over the rate in this window."""
    window_index = int((now or time.time()) // rate.window)
    cache_key = f"ratelimit:{key}:{window_index}"
    cache.add(cache_key, 0, timeout=rate.window + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=rate.window + 1)
        hits = 1
    return hits <= rate.limit


def client_ip(request, *, trust_forwarded: bool) -> str:
    """Return the client's address; X-Forwarded-For only when a trusted proxy sets it."""
    if trust_forwarded:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
