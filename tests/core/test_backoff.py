import random

from core.backoff import backoff_seconds


def test_full_jitter_spreads_over_the_whole_window_up_to_the_cap():
    rng = random.Random(3)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (9, 100)]:
        waits = [backoff_seconds(attempt, base=10, cap=100, rng=rng) for _ in range(200)]
        assert 0 <= min(waits) < ceiling * 0.2 and ceiling * 0.8 < max(waits) <= ceiling


def test_a_floor_keeps_that_share_of_the_window_as_the_shortest_wait():
    rng = random.Random(4)
    waits = [backoff_seconds(3, base=10, cap=100, floor=0.5, rng=rng) for _ in range(200)]
    assert 20 <= min(waits) and max(waits) <= 40
