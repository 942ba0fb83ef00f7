"""When to try again: push backoff (real time: it is about the centre's availability) and the
check schedule (scaled by DEMO_TIME_SCALE with the SLA it serves).

Checks after an accepted push: +1h, +2h, +4h, +8h, +16h after acceptance (doubling from
SYNC_FIRST_CHECK_SECONDS), one at the SLA itself, then every SYNC_CHECK_AFTER_SLA_SECONDS.
Portal checks after the centre applied: at once, then +1h, +2h, +4h ... (doubling from
PORTAL_FIRST_CHECK_SECONDS, steps of at most PORTAL_CHECK_MAX_SECONDS), and one at the window's end;
or, when the portal says when it will catch up, once at that time instead.
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


def escalation_due_at(*, promised_at: datetime | None, accepted_at: datetime) -> datetime:
    """Return when an accepted, unapplied update is escalated: at the 1x24 jam promised at the
    counter; or, when the centre only accepted it after that promise had passed (a long outage, a
    resubmission), 1x24 jam after it accepted it: escalating a record the centre got a minute ago
    would help nobody."""
    if promised_at is not None and promised_at > accepted_at:
        return promised_at
    return accepted_at + scaled(settings.SYNC_SLA_SECONDS)


def next_portal_check_at(
    *,
    applied_at: datetime,
    window_ends_at: datetime,
    checks_done: int,
    now: datetime,
    catches_up_at: datetime | None = None,
) -> datetime:
    """Return when to ask the portal next, after `checks_done` checks that did not see the data.

    A portal that says when it will catch up is asked then, and not before: the checks in between
    would only hear "not yet" again. A portal that does not say (or names a time already past) is
    asked on the schedule, skipping the checks a late run has already missed rather than making
    them all at once. Never later than the window's end, where the last check decides.
    """
    if catches_up_at is not None and catches_up_at > now:
        return min(catches_up_at, window_ends_at)
    offsets, offset = [applied_at], settings.PORTAL_FIRST_CHECK_SECONDS
    while applied_at + scaled(offset) < window_ends_at:
        offsets.append(applied_at + scaled(offset))
        offset = min(offset * 2, offset + settings.PORTAL_CHECK_MAX_SECONDS)
    planned = next((at for at in offsets[checks_done:] if at >= now), window_ends_at)
    return max(min(planned, window_ends_at), now)
