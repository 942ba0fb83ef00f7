"""The project's own periodic tasks."""

from celery import shared_task
from django.db.models import Count
from django.utils import timezone

from helpdesk import retention
from helpdesk.models import DailyStatusCount
from tickets.models import Office, Ticket
from tickets.workflow import OPEN_STATUSES


@shared_task(name="helpdesk.tasks.snapshot_status_counts")
def snapshot_status_counts() -> int:
    """Record today's open tickets by status per office (the dashboard's history). Idempotent."""
    today = timezone.localdate()
    counts = (
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values_list("office_id", "status")
        .annotate(n=Count("id"))
    )
    found = {(office_id, status): n for office_id, status, n in counts}
    rows = [
        DailyStatusCount(
            office_id=office_id, day=today, status=status, count=found.get((office_id, status), 0)
        )
        for office_id in Office.objects.values_list("pk", flat=True)
        for status in OPEN_STATUSES
    ]
    DailyStatusCount.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["office", "day", "status"], update_fields=["count"]
    )
    return len(rows)


# The purge stops between batches after this long, well inside the task's time limits; a backlog
# (the first run on old data) continues in a follow-up task, since every batch is committed.
PURGE_TIME_BUDGET_SECONDS = 240


@shared_task(name="helpdesk.tasks.purge_personal_data", soft_time_limit=300, time_limit=330)
def purge_personal_data() -> dict:
    """Erase personal data past its retention period (UU PDP); daily from beat. Idempotent."""
    report = retention.purge_personal_data(time_budget=PURGE_TIME_BUDGET_SECONDS, actor_label="celery beat")
    if not report.complete:
        purge_personal_data.apply_async(countdown=60)
    return report.as_dict()
