import datetime as dt
import random

import pytest

from sync.schedule import escalation_due_at, next_check_at, next_portal_check_at, push_retry_delay

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


class TestPortalChecks:
    @pytest.fixture(autouse=True)
    def portal_timing(self, settings):
        settings.PORTAL_FIRST_CHECK_SECONDS = 3600
        settings.PORTAL_CHECK_MAX_SECONDS = 6 * 3600

    def test_the_portal_is_asked_at_once_then_backs_off_to_six_hours_and_last_at_the_windows_end(self):
        end = T0 + 72 * HOUR
        times = [
            next_portal_check_at(applied_at=T0, window_ends_at=end, checks_done=n, now=T0) for n in range(17)
        ]
        hours = [(t - T0) / HOUR for t in times]
        assert hours[:8] == [0, 1, 2, 4, 8, 14, 20, 26]
        assert hours[-3:] == [68, 72, 72] and max(hours) == 72

    def test_a_portal_that_says_when_it_catches_up_is_asked_then_whether_sooner_or_later(self):
        end = T0 + 72 * HOUR
        for catches_up_at in (T0 + 90 * dt.timedelta(minutes=1), T0 + 40 * HOUR):
            asked = next_portal_check_at(
                applied_at=T0, window_ends_at=end, checks_done=1, now=T0, catches_up_at=catches_up_at
            )
            assert asked == catches_up_at

    def test_a_catch_up_time_past_the_window_is_asked_at_the_windows_end(self):
        end = T0 + 72 * HOUR
        asked = next_portal_check_at(
            applied_at=T0, window_ends_at=end, checks_done=1, now=T0, catches_up_at=T0 + 100 * HOUR
        )
        assert asked == end

    def test_a_catch_up_time_already_past_falls_back_to_the_schedule_not_to_a_call_at_once(self):
        now = T0 + 30 * HOUR  # the portal's clock is behind ours, or it missed its own estimate
        asked = next_portal_check_at(
            applied_at=T0, window_ends_at=T0 + 72 * HOUR, checks_done=2, now=now, catches_up_at=now
        )
        assert asked == T0 + 32 * HOUR

    def test_a_portal_check_is_never_scheduled_in_the_past(self):
        now = T0 + 80 * HOUR
        assert (
            next_portal_check_at(applied_at=T0, window_ends_at=T0 + 72 * HOUR, checks_done=3, now=now) == now
        )


class TestEscalationDue:
    def test_an_update_accepted_before_the_counters_promise_escalates_at_that_promise(self):
        promised = T0 + 24 * HOUR
        assert escalation_due_at(promised_at=promised, accepted_at=T0 + HOUR) == promised

    def test_an_update_accepted_after_the_promise_passed_escalates_a_day_after_acceptance(self, settings):
        settings.SYNC_SLA_SECONDS = 86400
        accepted = T0 + 30 * HOUR
        assert escalation_due_at(promised_at=T0 + 24 * HOUR, accepted_at=accepted) == accepted + 24 * HOUR
        assert escalation_due_at(promised_at=None, accepted_at=accepted) == accepted + 24 * HOUR
