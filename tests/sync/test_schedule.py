import datetime as dt
import random

import pytest

from sync.schedule import next_check_at, push_retry_delay

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def production_timing(settings):
    settings.DEMO_TIME_SCALE = 1
    settings.SYNC_FIRST_CHECK_SECONDS = 3600
    settings.SYNC_CHECK_AFTER_SLA_SECONDS = 7200
    settings.SYNC_RETRY_BASE_SECONDS = 10
    settings.SYNC_RETRY_MAX_SECONDS = 900


def test_checks_double_until_the_sla_then_come_every_two_hours():
    due = T0 + 24 * HOUR
    times = [next_check_at(accepted_at=T0, sla_due_at=due, checks_done=n, now=T0) for n in range(8)]
    assert [(t - T0) / HOUR for t in times] == [1, 2, 4, 8, 16, 24, 26, 28]


def test_a_late_check_is_never_scheduled_in_the_past():
    now = T0 + 10 * HOUR
    assert next_check_at(accepted_at=T0, sla_due_at=T0 + 24 * HOUR, checks_done=0, now=now) == now


def test_demo_scale_compresses_the_schedule(settings):
    settings.DEMO_TIME_SCALE = 3600  # one hour becomes one second
    due = T0 + dt.timedelta(seconds=24)
    first = next_check_at(accepted_at=T0, sla_due_at=due, checks_done=0, now=T0)
    assert first - T0 == dt.timedelta(seconds=1)


def test_backoff_is_full_jitter_within_an_exponential_cap():
    rng = random.Random(1)
    for attempt, cap in [(1, 10), (2, 20), (3, 40), (10, 900)]:
        delays = [push_retry_delay(attempt, rng=rng).total_seconds() for _ in range(200)]
        assert 0 <= min(delays) and max(delays) <= cap
        assert max(delays) > cap * 0.8  # jitter spreads over the whole window


def test_backoff_never_comes_sooner_than_retry_after():
    rng = random.Random(2)
    assert all(push_retry_delay(1, retry_after=30, rng=rng).total_seconds() >= 30 for _ in range(100))
