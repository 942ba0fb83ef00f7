"""Crash safety: a burst of tickets through SIGKILLed workers and a Redis that comes back empty.

The database is the source of truth and Celery messages are only nudges (DESIGN.md §4, §8): a
killed worker's leases expire and the sweeper re-drives its jobs; a Redis restart loses every
queued message and the sweeper re-drives those too; the Idempotency-Key makes every re-push
harmless. The figures are printed (-s) and written to var/test/integration/crash_safety.json.
"""

import json
import logging
import threading
import time
from collections import Counter

import pytest
from django.db import connections
from django.utils import timezone

from sync.models import SyncAttempt, SyncJob
from tests.integration.conftest import results_dir
from tests.integration.processes import wait_until
from tickets.models import TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The SLA is 30 s here (86400 / 2880), not the 6 s of the other modules: draining 200 tickets
# through the kills takes longer than 6 s, and an escalation should mean a ticket really waited.
# Checks after acceptance: +1.25 s, +2.5 s, +5 s, +10 s, +20 s, at the SLA, then every 2.5 s.
STACK_ENV = {"DEMO_TIME_SCALE": "2880"}

TICKETS = 200
KILL_WORKER_AT = 60  # SIGKILL the worker (holding leases) once this many tickets are open
REDIS_DOWN_AT = 120  # SIGKILL Redis here, and start it again, empty, REDIS_DOWN_SECONDS later
REDIS_DOWN_SECONDS = 8.0  # longer than any nudge waits for the broker, so some are surely lost
DRAIN_TIMEOUT = 300  # the whole run takes about 90 s on an idle 2-core machine, 250 s on a busy one


def leases_held() -> int:
    """How many jobs a worker holds right now (a killed worker's stay held until they expire)."""
    return SyncJob.objects.filter(claimed_until__gt=timezone.now()).count()


def test_every_ticket_resolves_exactly_once_through_worker_kills_and_an_empty_redis(pipeline, caplog):
    stack = pipeline.stack
    caplog.set_level(logging.WARNING)
    orphaned_leases = []
    tickets = []

    def open_until(count: int) -> None:
        while len(tickets) < count:
            tickets.append(pipeline.open_ticket(len(tickets) + 1))

    def kill_worker_holding_leases(what: str) -> None:
        wait_until(
            leases_held,
            20,
            interval=0.02,
            message=f"the worker to hold leases ({what})",
            describe=pipeline.describe,
        )
        orphaned_leases.append(leases_held())
        stack.kill_worker()
        stack.start_worker(wait=False)  # tickets keep coming while it boots

    def worker_consumes_after(offset: int) -> bool:
        text = stack.worker.log_text()[offset:]
        return "Connected to redis" in text and " received" in text.split("Connected to redis", 1)[1]

    started = time.monotonic()
    open_until(KILL_WORKER_AT)
    kill_worker_holding_leases("pushes")
    open_until(REDIS_DOWN_AT)
    stack.wait_for_worker()
    wait_until(
        lambda: SyncJob.objects.exclude(update_id="").exists(),
        30,
        message="the new worker to push",
        describe=pipeline.describe,
    )
    # Redis dies and comes back empty while the counter keeps saving tickets, from another thread
    # as a web process would (each save's on-commit nudge may wait for the broker before it gives
    # up; see slowest_save_while_redis_down). Processes are started from this (main) thread only.
    starts_before = stack.redis.starts
    stack.redis.kill()
    down_at = time.monotonic()
    log_offset = stack.worker.log_size()
    saves, counter_errors = [], []  # saves: (began, seconds)
    redis_back = threading.Event()

    def counter_keeps_saving():
        try:
            while not redis_back.is_set():
                began = time.monotonic()
                tickets.append(pipeline.open_ticket(len(tickets) + 1))
                saves.append((began, time.monotonic() - began))
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            counter_errors.append(exc)
        finally:
            connections.close_all()

    counter = threading.Thread(target=counter_keeps_saving, name="counter")
    counter.start()
    time.sleep(REDIS_DOWN_SECONDS)
    stack.redis.start()
    restarted_at = time.monotonic()
    redis_back.set()
    counter.join()
    assert not counter_errors, f"saving a ticket while Redis was down failed: {counter_errors!r}"
    redis_down_for = round(restarted_at - down_at, 1)
    saves_while_down = [seconds for began, seconds in saves if began < restarted_at]
    open_until(TICKETS)
    opened_in = pipeline.elapsed(started)
    # DESIGN.md §8: a worker may say "reconnected" and consume nothing; judge it by what it does.
    wait_until(
        lambda: worker_consumes_after(log_offset),
        60,
        message="the worker to consume after the restart",
        describe=lambda: pipeline.describe() + "\n" + stack.worker.log_text()[log_offset:][-3000:],
    )
    consuming_again_after = pipeline.elapsed(restarted_at)
    # Once checks are under way, kill again: this time it holds accepted jobs it was checking.
    wait_until(
        lambda: SyncJob.objects.filter(state=SyncJob.State.VERIFIED).count() >= TICKETS // 4,
        180,
        message="a quarter of the tickets to resolve",
        describe=pipeline.describe,
    )
    kill_worker_holding_leases("checks")
    stack.wait_for_worker()

    pipeline.wait_for_status(tickets, Status.RESOLVED, timeout=DRAIN_TIMEOUT)
    drained_in = pipeline.elapsed(started)

    # Nothing left active, nothing claimed, every job verified. The counter keeps saving while Redis
    # is down (a save no longer waits for the broker), so there may be more than TICKETS tickets.
    opened = len(tickets)
    assert opened >= TICKETS
    assert Counter(SyncJob.objects.values_list("state", flat=True)) == {SyncJob.State.VERIFIED: opened}
    assert not SyncJob.objects.filter(claimed_until__isnull=False).exists()
    # Each ticket's timeline holds one push acceptance and one resolution, by the system.
    transitions = Counter(TicketEvent.objects.exclude(to_status="").values_list("to_status", flat=True))
    assert transitions[Status.NEW] == transitions[Status.SENT] == transitions[Status.RESOLVED] == opened
    assert transitions[Status.CENTRE_APPLIED] == opened  # every ticket passed both stages
    escalations = Counter(
        TicketEvent.objects.filter(to_status=Status.ESCALATED).values_list("ticket_id", flat=True)
    )
    assert all(n == 1 for n in escalations.values()), "a ticket was escalated more than once"
    # The registry applied exactly one write per ticket: no duplicates, none missing.
    keys = {str(k) for k in SyncJob.objects.values_list("idempotency_key", flat=True)}
    stats = pipeline.registry.stats()
    duplicate_updates = {k: n for k, n in stats["updates_by_key"].items() if n != 1}
    duplicate_writes = {k: n for k, n in stats["writes_applied_by_key"].items() if n != 1}
    assert set(stats["updates_by_key"]) == set(stats["writes_applied_by_key"]) == keys
    assert duplicate_updates == duplicate_writes == {}
    assert stats["updates"]["applied"] == stats["updates"]["total"] == opened

    pushes = Counter(
        SyncAttempt.objects.filter(operation=SyncAttempt.Operation.PUSH).values_list("job_id", flat=True)
    )
    latencies = sorted(
        SyncAttempt.objects.exclude(latency_ms__isnull=True).values_list("latency_ms", flat=True)
    )
    worker_logs = "".join(
        path.read_text(errors="replace") for name, path in stack.log_files() if name.startswith("worker-")
    )
    figures = {
        "tickets": opened,
        "worker_sigkills": stack.worker_kills,
        "leases_orphaned_by_each_kill": orphaned_leases,
        "redis_restarts_empty": stack.redis.starts - starts_before,
        "redis_down_seconds": redis_down_for,
        "worker_consuming_again_seconds_after_redis_restart": consuming_again_after,
        "tickets_saved_while_redis_down": len(saves_while_down),
        "slowest_save_while_redis_down_seconds": round(max(saves_while_down), 1),
        "sync_nudges_lost_at_publish": sum(
            r.name == "sync.tasks" and "could not publish" in r.getMessage() for r in caplog.records
        ),
        "tickets_resolved": opened,
        "duplicate_updates_at_registry": len(duplicate_updates),
        "duplicate_writes_at_registry": len(duplicate_writes),
        "repeated_pushes_answered_by_replay": stats["duplicates_by_kind"]["replayed"],
        "repeated_pushes_refused_in_flight": stats["duplicates_by_kind"]["request_in_flight"],
        "push_calls_recorded": sum(pushes.values()),
        "jobs_pushed_more_than_once": sum(1 for n in pushes.values() if n > 1),
        "tickets_escalated_on_the_way": transitions[Status.ESCALATED],
        "worker_task_errors_logged": worker_logs.count(" raised unexpected: "),
        "registry_requests": stats["requests_total"],
        "registry_call_latency_ms_p50_p95": [
            latencies[len(latencies) // 2],
            latencies[len(latencies) * 95 // 100],
        ],
        "worker_tasks_run": worker_logs.count(" succeeded in "),
        "seconds_to_open_all": opened_in,
        "seconds_to_drain": drained_in,
    }
    results_dir().mkdir(parents=True, exist_ok=True)
    (results_dir() / "crash_safety.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("\ncrash safety: " + json.dumps(figures, indent=2))
    assert figures["worker_sigkills"] == 2 and figures["redis_restarts_empty"] == 1
    assert figures["sync_nudges_lost_at_publish"] >= 1, "no ticket's nudge was lost: the test proves nothing"


def test_a_worker_whose_tasks_finish_while_redis_is_down_keeps_consuming_after_it_returns(pipeline):
    """A task acknowledges late: if Redis dies while it runs, its acknowledgement comes after the
    worker closed the broken connection. That must cost a redelivery, never the worker."""
    stack = pipeline.stack
    pipeline.registry.set_faults(latency_ms=2500)  # every push holds its thread for 2.5 s
    in_flight = [pipeline.open_ticket(serial) for serial in range(1, 4)]
    wait_until(
        lambda: leases_held() >= 3,
        20,
        interval=0.02,
        message="three pushes in flight",
        describe=pipeline.describe,
    )
    stack.redis.kill()
    # The pushes finish (and try to acknowledge) while the broker is gone.
    pipeline.wait_for_pushed(in_flight, timeout=20)
    time.sleep(1.0)
    stack.redis.start()
    pipeline.registry.clear_faults()

    after = pipeline.open_ticket(4)
    pipeline.wait_for_pushed([after], timeout=45)
    pipeline.wait_for_status([*in_flight, after], Status.RESOLVED, timeout=60)
    assert stack.worker.is_running()
    assert "Unrecoverable error" not in stack.worker.log_text()
