"""Injected faults, switched at run time through /_control/faults."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest


def timed(call):
    started = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - started


def test_latency_slows_every_api_call_by_the_fixed_delay_plus_jitter(registry, api, build):
    registry.set_faults(latency_ms=300, jitter_ms=200)

    durations = [timed(lambda: api.get(f"/residents/{build.nik()}"))[1] for _ in range(3)]

    assert all(0.3 <= d < 2.0 for d in durations)
    registry.clear_faults()
    assert timed(lambda: api.get(f"/residents/{build.nik()}"))[1] < 0.3


@pytest.mark.parametrize("status", [500, 503])
def test_an_error_rate_of_one_fails_every_call_with_the_chosen_status(registry, api, build, status):
    registry.set_faults(error_rate=1.0, error_statuses=[status])

    answers = [api.get(f"/residents/{build.nik()}") for _ in range(5)]

    assert {a.status_code for a in answers} == {status}
    assert registry.stats()["requests_by_status"] == {str(status): 5}


def test_an_error_rate_of_one_half_fails_some_calls_with_500_or_503(registry, api, build):
    registry.set_faults(error_rate=0.5)

    statuses = Counter(api.get(f"/residents/{build.nik()}").status_code for _ in range(40))

    assert set(statuses) <= {404, 500, 503}
    assert 5 <= statuses[500] + statuses[503] <= 35


def test_a_failed_push_writes_nothing(registry, push, build):
    registry.set_faults(error_rate=1.0)

    assert push(build.nik()).status_code in (500, 503)

    assert registry.stats()["updates"]["total"] == 0


def test_an_outage_answers_every_call_503_with_retry_after_until_it_ends(registry, api, push, build):
    registry.set_faults(outage_seconds=0.8)

    read, write = api.get(f"/residents/{build.nik()}"), push(build.nik())

    for answer in (read, write):
        assert answer.status_code == 503
        assert answer.json()["error"] == "outage"
        assert answer.headers["Retry-After"] == "1"
    time.sleep(int(read.headers["Retry-After"]))
    assert api.get(f"/residents/{build.nik()}").status_code == 404


def test_an_outage_window_in_the_future_does_not_refuse_calls_yet(registry, api, build):
    start = datetime.now(UTC) + timedelta(hours=1)
    registry.set_faults(outage_start=start.isoformat(), outage_end=(start + timedelta(hours=1)).isoformat())

    assert api.get(f"/residents/{build.nik()}").status_code == 404


def test_the_rate_limit_answers_429_with_retry_after_beyond_n_calls_per_second(registry, api, build):
    registry.set_faults(rate_limit_per_second=5)
    time.sleep(1 - time.time() % 1 + 0.02)  # start at the top of a second: all calls share a window

    answers = [api.get(f"/residents/{build.nik()}") for _ in range(8)]

    assert [a.status_code for a in answers[:5]] == [404] * 5
    limited = [a for a in answers if a.status_code == 429]
    assert limited, [a.status_code for a in answers]
    assert all(a.headers["Retry-After"] == "1" and a.json()["error"] == "rate_limited" for a in limited)
    time.sleep(1.0)
    assert api.get(f"/residents/{build.nik()}").status_code == 404


def test_a_dropped_connection_is_seen_by_the_client_as_a_connection_error(registry, api, build):
    registry.set_faults(drop_rate=1.0, drop_phase="before")

    with pytest.raises(httpx.TransportError):
        api.get(f"/residents/{build.nik()}")

    assert registry.stats()["requests_by_status"] == {"dropped": 1}


def test_a_push_whose_answer_was_dropped_is_stored_once_and_replayed_on_retry(registry, api, build):
    nik, key = build.nik(), build.key()
    body = build.update_body(nik, reference="SKR-1 mock:after=0")
    registry.set_faults(drop_rate=1.0, drop_phase="after")

    with pytest.raises(httpx.TransportError):
        api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key})

    registry.clear_faults()
    retry = api.put(f"/residents/{nik}", json=body, headers={"Idempotency-Key": key})
    assert retry.status_code == 202
    assert retry.headers["Idempotent-Replayed"] == "true"
    stats = registry.stats()
    assert stats["updates_by_key"] == {key: 1}
    assert stats["writes_applied_by_key"] == {key: 1}
    assert stats["requests_by_status"] == {"dropped": 1, "202": 1}


def test_a_push_dropped_before_processing_writes_nothing(registry, push, build):
    registry.set_faults(drop_rate=1.0, drop_phase="before")

    with pytest.raises(httpx.TransportError):
        push(build.nik())

    assert registry.stats()["updates"]["total"] == 0


def test_health_and_control_answer_truthfully_during_faults(registry, anonymous):
    registry.set_faults(outage_seconds=60, error_rate=1.0, drop_rate=1.0, latency_ms=2000)

    health, duration = timed(lambda: anonymous.get("/health"))

    assert health.status_code == 200
    assert set(health.json()["faults_active"]) == {"outage", "error_rate", "drop", "latency"}
    assert duration < 1.0
    assert registry.faults()["error_rate"] == 1.0


def test_faults_are_shared_by_every_worker_process(registry):
    registry.set_faults(latency_ms=300)

    def slow_call(_):
        with registry.client() as fresh:  # a new connection each, so the kernel spreads them out
            answer, duration = timed(lambda: fresh.get("/residents/3319011205900001"))
        return answer.headers["X-Registry-Worker"], duration

    workers, durations = set(), []
    with ThreadPoolExecutor(max_workers=12) as pool:
        for _ in range(3):  # parallel bursts reach both workers; retry in the rare case they do not
            for worker, duration in pool.map(slow_call, range(12)):
                workers.add(worker)
                durations.append(duration)
            if len(workers) == 2:
                break

    assert len(workers) == 2
    assert min(durations) >= 0.3


def test_the_faults_can_be_read_set_and_reset_to_the_environment_defaults(registry):
    changed = registry.set_faults(latency_ms=10, rate_limit_per_second=3)

    assert (changed["latency_ms"], changed["rate_limit_per_second"], changed["error_rate"]) == (10, 3, 0)
    assert registry.faults() == changed
    with registry.control_client() as control:
        reset = control.delete("/_control/faults").json()
    assert (reset["latency_ms"], reset["rate_limit_per_second"]) == (0, 0)


@pytest.mark.parametrize(
    "changes",
    [
        {"error_rate": 1.5},
        {"error_statuses": [418]},
        {"drop_phase": "sometimes"},
        {"latency_ms": -1},
        {"rate_limit_per_second": 2.5},
        {"outage_end": "tomorrow"},
        {"no_such_fault": True},
    ],
)
def test_the_fault_control_refuses_invalid_values_with_422(registry, changes):
    with registry.control_client() as control:
        answer = control.put("/_control/faults", json=changes)

    assert answer.status_code == 422
    assert registry.faults()["error_rate"] == 0
