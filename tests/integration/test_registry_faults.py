"""The pipeline against a misbehaving centre: an outage, a rate limit with Retry-After, 5xx bursts.

The faults are injected into the real mock registry process through its control API; the real
worker must ride them out, and every ticket must still resolve with exactly one write each.
"""

import datetime as dt

import pytest

from sync.models import SyncAttempt, SyncJob
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def registry_calls(job):
    """The job's attempts that really reached for the registry (not those the open circuit
    breaker answered locally), oldest first."""
    return list(
        SyncAttempt.objects.filter(job=job)
        .exclude(status_code__isnull=True, error="circuit_open")
        .order_by("created_at", "id")
    )


def early_calls(tickets, pipeline, required_wait):
    """Return (early, gaps): the gaps (s) between an answer and the start of the job's next call,
    and those shorter than `required_wait(answer)` (None: the answer asked for no wait)."""
    early, gaps = [], []
    for ticket in tickets:
        calls = registry_calls(pipeline.job(ticket))
        for answer, following in zip(calls, calls[1:]):
            wait = required_wait(answer)
            if wait is None:
                continue
            started = following.created_at - dt.timedelta(milliseconds=following.latency_ms or 0)
            gap = (started - answer.created_at).total_seconds()
            gaps.append(round(gap, 3))
            if gap < wait:
                early.append((answer.operation, answer.status_code, round(gap, 3), wait))
    return early, sorted(gaps)


def assert_none_early(early) -> None:
    assert not early, f"{len(early)} call(s) before Retry-After elapsed: {early[:5]}"


def assert_one_write_per_ticket(pipeline, tickets):
    keys = {str(pipeline.job(t).idempotency_key) for t in tickets}
    stats = pipeline.registry.stats()
    assert stats["updates_by_key"] == dict.fromkeys(keys, 1)
    assert stats["writes_applied_by_key"] == dict.fromkeys(keys, 1)
    return stats


def test_tickets_opened_during_a_registry_outage_wait_out_its_retry_after_and_resolve_after_it(pipeline):
    faults = pipeline.registry.set_faults(outage_seconds=4)
    outage_end = dt.datetime.fromisoformat(faults["outage_end"])
    tickets = [pipeline.open_ticket(serial) for serial in range(1, 6)]

    pipeline.wait_for_status(tickets, Status.RESOLVED, timeout=40)

    first_calls = [registry_calls(pipeline.job(t))[0] for t in tickets]
    into_outage = [c for c in first_calls if (c.status_code, c.error) == (503, "outage")]
    assert into_outage, "no push reached the registry during the outage: the test proves nothing"
    for ticket in tickets:
        accepted = next(c for c in registry_calls(pipeline.job(ticket)) if c.status_code == 202)
        assert accepted.created_at >= outage_end
    stats = assert_one_write_per_ticket(pipeline, tickets)

    # The 503 said Retry-After = the rest of the window (rounded up): one call into the outage each.
    def rest_of_window(answer):
        if answer.error != "outage":
            return None
        # The mock's own rounding; the answer left before created_at, so this never overstates it.
        return max(1, int((outage_end - answer.created_at).total_seconds() + 0.999))

    early, gaps = early_calls(tickets, pipeline, rest_of_window)
    print(f"\noutage: gaps after a 503 (s): {gaps}")
    assert_none_early(early)
    assert stats["requests_by_endpoint"]["resident_put"].get("503", 0) == len(into_outage)


def test_a_rate_limited_registry_is_not_called_again_before_its_retry_after_has_elapsed(pipeline):
    pipeline.registry.set_faults(rate_limit_per_second=1)  # the mock answers 429 with Retry-After: 1
    tickets = [pipeline.open_ticket(serial) for serial in range(1, 5)]

    pipeline.wait_for_pushed(tickets, timeout=30)
    pipeline.registry.clear_faults()  # the checks and portal checks would crawl at 1 call/s
    pipeline.wait_for_status(tickets, Status.RESOLVED, timeout=30)

    stats = assert_one_write_per_ticket(pipeline, tickets)
    early, gaps = early_calls(tickets, pipeline, lambda answer: 1.0 if answer.status_code == 429 else None)
    print(f"\n429 answers followed by another call: {len(gaps)}; gaps (s): {gaps}")
    assert gaps, "the rate limit never bit: the test proves nothing"
    assert stats["requests_by_status"].get("429", 0) >= len(gaps)
    assert_none_early(early)


def test_tickets_resolve_through_a_burst_of_server_errors(pipeline):
    pipeline.registry.set_faults(error_rate=0.5, error_statuses=[500, 502, 503, 504])
    tickets = [pipeline.open_ticket(serial) for serial in range(1, 9)]

    pipeline.wait_for_status(tickets, Status.RESOLVED, timeout=60)

    errors = SyncAttempt.objects.filter(status_code__gte=500).count()
    assert errors >= 1, "no 5xx was ever answered: the test proves nothing"
    assert not SyncJob.objects.exclude(state=SyncJob.State.VERIFIED).exists()
    stats = assert_one_write_per_ticket(pipeline, tickets)
    breaker_refusals = SyncAttempt.objects.filter(error="circuit_open").count()
    most_attempts = max(SyncJob.objects.values_list("attempts", flat=True))
    print(
        f"\n5xx answers seen by the worker: {errors}; registry requests by status: {stats['requests_by_status']}; "
        f"pushes refused locally by the open breaker: {breaker_refusals}; most push attempts of one job: "
        f"{most_attempts} (production gives up at 8)"
    )
