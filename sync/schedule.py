"""When to try again: push backoff (real time: it is about the centre's availability) and the
check schedule (scaled by DEMO_TIME_SCALE with the SLA it serves).

Checks after an accepted push: +1h, +2h, +4h, +8h, +16h after acceptance (doubling from
SYNC_FIRST_CHECK_SECONDS), one at the SLA itself, then every SYNC_CHECK_AFTER_SLA_SECONDS.
"""

import random
from datetime import datetime, timedelta

from django.conf import settings

from core.backoff import backoff_seconds
from tickets.sla import scaled


def push_retry_delay(attempt: int, *, retry_after: float | None = None, rng=random) -> timedelta:
    """Return the wait before push attempt `attempt + 1`: exponential backoff with full jitter,
    capped, and never sooner than the registry's Retry-After."""
    delay = backoff_seconds(
        attempt, base=settings.SYNC_RETRY_BASE_SECONDS, cap=settings.SYNC_RETRY_MAX_SECONDS, rng=rng
    )
    return timedelta(seconds=max(delay, retry_after or 0))


def next_check_at(
    *, accepted_at: datetime, sla_due_at: datetime, checks_done: int, now: datetime
) -> datetime:
    """Return when to check the registry next, after `checks_done` unsuccessful checks."""
    first = settings.SYNC_FIRST_CHECK_SECONDS
    offsets = []
    offset = first
    while scaled(offset) < sla_due_at - accepted_at:
        offsets.append(accepted_at + scaled(offset))
        offset *= 2
    offsets.append(sla_due_at)
    if checks_done < len(offsets):
        return max(offsets[checks_done], now)
    after_sla = scaled(settings.SYNC_CHECK_AFTER_SLA_SECONDS) * (checks_done - len(offsets) + 1)
    return max(sla_due_at + after_sla, now)
