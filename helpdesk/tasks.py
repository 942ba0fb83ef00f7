"""The project's own periodic tasks."""
from celery import shared_task
from django.db.models import Count
from django.utils import timezone

from helpdesk.models import DailyStatusCount
from tickets.models import Office, Ticket
from tickets.workflow import OPEN_STATUSES


@shared_task(name="helpdesk.tasks.snapshot_status_counts")
def snapshot_status_counts() -> int:
    """Record today's open tickets by status per office (the dashboard's history). Idempotent."""
    today = timezone.localdate()
    counts = (Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("office_id", "status")
              .annotate(n=Count("id")))
    found = {(office_id, status): n for office_id, status, n in counts}
    rows = [DailyStatusCount(office_id=office_id, day=today, status=status, count=found.get((office_id, status), 0))
            for office_id in Office.objects.values_list("pk", flat=True) for status in OPEN_STATUSES]
    DailyStatusCount.objects.bulk_create(rows, update_conflicts=True, unique_fields=["office", "day", "status"],
                                         update_fields=["count"])
    return len(rows)
