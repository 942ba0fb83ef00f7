"""Celery tasks: thin. They take a batch id only (no NIK in any message) and call families.services.

Each run works for at most FAMILY_IMPORT_TASK_SECONDS (well inside the task time limit) and, when
work remains, queues the next run. The database holds all progress, so a lost message only delays
the batch: `sweep_imports` (or the supervisor's "jalankan ulang" button) re-drives it.
"""

import logging

from celery import shared_task

from core.publish import publish
from families import services
from families.conf import setting
from families.models import ImportBatch

logger = logging.getLogger(__name__)


@shared_task(name="families.tasks.validate_import")
def validate_import(batch_id: int) -> str:
    outcome = services.validate_batch(batch_id, budget_seconds=setting("FAMILY_IMPORT_TASK_SECONDS"))
    if outcome == "more":
        nudge(batch_id, ImportBatch.Status.VALIDATING)
    return outcome


@shared_task(name="families.tasks.run_import")
def run_import(batch_id: int) -> str:
    outcome = services.import_batch(batch_id, budget_seconds=setting("FAMILY_IMPORT_TASK_SECONDS"))
    if outcome == "more":
        nudge(batch_id, ImportBatch.Status.IMPORTING)
    return outcome


@shared_task(name="families.tasks.sweep_imports")
def sweep_imports() -> int:
    """Re-drive busy batches that made no progress for a while (their message was lost)."""
    stale = services.stale_batches()
    for batch_id, status in stale:
        nudge(batch_id, status)
    if stale:
        logger.info("import sweep re-drove %d batches", len(stale))
    return len(stale)


@shared_task(name="families.tasks.push_family")
def push_family(push_id: int) -> str:
    return services.push_family(push_id)


@shared_task(name="families.tasks.sweep_family_pushes")
def sweep_family_pushes() -> int:
    """Publish every family push that is due (a lost message, a retry, a finished import's groups)."""
    published = [push_id for push_id in services.due_pushes() if nudge_push(push_id)]
    services.mark_dispatched_pushes(published)
    if published:
        logger.info("family push sweep published %d pushes", len(published))
    return len(published)


def nudge_push(push_id: int) -> bool:
    """Publish a family push; False when the broker failed (logged; the sweep publishes it again)."""
    return publish(push_family, (push_id,), subject=f"family push {push_id}", then="the sweep will retry")


def nudge(batch_id: int, status: str) -> None:
    """Publish the task for the batch's current step; a broker failure is logged, never raised
    (the batch stays busy in the database and the sweep re-drives it)."""
    task = validate_import if status == ImportBatch.Status.VALIDATING else run_import
    publish(task, (batch_id,), subject=f"batch {batch_id}", then="the sweep will retry")
