"""The desk's periodic tasks: the dashboard's daily snapshot and the retention purge."""

from celery import shared_task
from django.utils import timezone

from desk import retention, services
from documents.services import delete_orphan_files


@shared_task(name="desk.tasks.snapshot_status_counts")
def snapshot_status_counts() -> int:
    """Record today's open tickets by status per office (the dashboard's history). Idempotent."""
    return services.record_daily_status_counts(timezone.localdate())


# The purge stops between batches after this long, well inside the task's time limits; a backlog
# (the first run on old data) continues in a follow-up task, since every batch is committed.
PURGE_TIME_BUDGET_SECONDS = 240


@shared_task(name="desk.tasks.purge_personal_data", soft_time_limit=300, time_limit=330)
def purge_personal_data() -> dict:
    """Erase personal data past its retention period (UU PDP); daily from beat. Idempotent."""
    report = retention.purge_personal_data(time_budget=PURGE_TIME_BUDGET_SECONDS, actor_label="celery beat")
    if not report.complete:
        purge_personal_data.apply_async(countdown=60)
        return report.as_dict()
    return report.as_dict() | {"orphan_document_files": delete_orphan_files()}
