"""Celery tasks: thin. They take ids only (no NIK in any message) and call sync.services; the
services publish the job's next step themselves (sync.services._release)."""

import logging

from celery import shared_task

from core.publish import publish
from sync import portal, services
from sync import sweep as sweeper
from sync.health import record_sweep

logger = logging.getLogger(__name__)


@shared_task(name="sync.tasks.push")
def push(job_id: int) -> str:
    return services.push_job(job_id)


@shared_task(name="sync.tasks.check")
def check(job_id: int) -> str:
    return services.check_job(job_id)


@shared_task(name="sync.tasks.check_portal")
def check_portal(job_id: int) -> str:
    return portal.check_portal_job(job_id)


@shared_task(name="sync.tasks.expedite")
def expedite(job_id: int) -> str:
    return sweeper.expedite_job(job_id)


@shared_task(name="sync.tasks.sweep")
def sweep() -> dict:
    """Re-drive every due job, create missing outbox rows, escalate what passed its SLA."""
    created = sweeper.create_missing_jobs()
    escalated = sweeper.escalate_overdue() + sweeper.escalate_unaccepted()
    published = [job_id for job_id, state in sweeper.due_jobs() if nudge(job_id, state)]
    sweeper.mark_dispatched(published)
    counts = {"created": created, "escalated": escalated, "dispatched": len(published)}
    if any(counts.values()):
        logger.info("sweep %s", counts)
    record_sweep()  # the heartbeat check_pipeline reads (sync/health.py)
    return counts


def nudge(job_id: int, state: str, countdown: float | None = None) -> bool:
    """Publish a push, check or portal check for the job (by its state); False when the broker failed (logged, never raised: the
    sweeper will find the job in the database)."""
    task = {services.State.PENDING: push, services.State.PORTAL: check_portal}.get(state, check)
    options = {"countdown": countdown} if countdown and countdown <= services.SHORT_COUNTDOWN_SECONDS else {}
    return publish(task, (job_id,), subject=f"job {job_id}", then="the sweeper will retry", **options)
