"""Celery tasks: thin. They take ids only (no NIK in any message) and call sync.services."""

import logging

from celery import shared_task

from helpdesk.celery import publish
from sync import services
from sync.health import record_sweep

logger = logging.getLogger(__name__)
# A retry due within this long is also nudged with a countdown; longer waits live in the
# database only (Redis redelivers long-ETA messages after its visibility timeout).
SHORT_COUNTDOWN_SECONDS = 60
# Outcomes after which the job is finished (or was never ours): nothing to look up or nudge.
NO_NEXT_STEP = frozenset({"skipped", "verified", "rejected", "failed", "cancelled"})


@shared_task(name="sync.tasks.push")
def push(job_id: int) -> str:
    outcome = services.push_job(job_id)
    _follow_up(job_id, outcome)
    return outcome


@shared_task(name="sync.tasks.check")
def check(job_id: int) -> str:
    outcome = services.check_job(job_id)
    _follow_up(job_id, outcome)
    return outcome


def _follow_up(job_id: int, outcome: str) -> None:
    """Nudge the job's next step when it is due within a minute, instead of waiting for the sweep.

    Only after real work: a task that found the job claimed elsewhere leaves it to that worker.
    """
    if outcome in NO_NEXT_STEP:
        return
    step = services.next_step(job_id)
    if step is not None and step[1] <= SHORT_COUNTDOWN_SECONDS:
        nudge(job_id, step[0], countdown=max(step[1], 0.01))


@shared_task(name="sync.tasks.expedite")
def expedite(job_id: int) -> str:
    return services.expedite_job(job_id)


@shared_task(name="sync.tasks.sweep")
def sweep() -> dict:
    """Re-drive every due job, create missing outbox rows, escalate what passed its SLA."""
    created = services.create_missing_jobs()
    escalated = services.escalate_overdue()
    published = [job_id for job_id, state in services.due_jobs() if nudge(job_id, state)]
    services.mark_dispatched(published)
    counts = {"created": created, "escalated": escalated, "dispatched": len(published)}
    if any(counts.values()):
        logger.info("sweep %s", counts)
    record_sweep()  # the heartbeat check_pipeline reads (sync/health.py)
    return counts


def nudge(job_id: int, state: str, countdown: float | None = None) -> bool:
    """Publish a push/check for the job; False when the broker failed (logged, never raised: the
    sweeper will find the job in the database)."""
    task = push if state == services.State.PENDING else check
    options = {}
    if countdown and countdown <= SHORT_COUNTDOWN_SECONDS:
        options["countdown"] = countdown
    return publish(task, (job_id,), subject=f"job {job_id}", then="the sweeper will retry", **options)
