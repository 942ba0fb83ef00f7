"""The reports' read: the scope's tickets for a filter, with only the columns a report needs."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from tickets.models import Ticket


def report_tickets(scope, filters: dict, *, full_nik: bool = False) -> QuerySet:
    """Return the scope's (core.scoping.OfficeScope) tickets received in the filter's period (WIB days, inclusive), oldest first."""
    start = timezone.make_aware(dt.datetime.combine(filters["start"], dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(filters["end"] + dt.timedelta(days=1), dt.time.min))
    tickets = scope.rows(Ticket.objects.filter(created_at__gte=start, created_at__lt=end))
    for name in ("status", "category", "service"):
        if filters.get(name):
            tickets = tickets.filter(**{name: filters[name]})
    # Only the columns the report needs: decrypting every KK (and every NIK, when masked) of a
    # year's tickets would cost more than the export itself.
    fields = [
        "code",
        "created_at",
        "category",
        "service",
        "status",
        "sent_at",
        "resolved_at",
        "citizen",
        "citizen__full_name",
        "citizen__nik_last4",
        "assignee",
        "assignee__username",
        "assignee__first_name",
        "assignee__last_name",
    ]
    if full_nik:
        fields.append("citizen__nik")
    return tickets.select_related("citizen", "assignee").only(*fields).order_by("created_at", "id")


def capped_report_count(scope, filters: dict, *, cap: int) -> int:
    """Return how many tickets the report holds, counting no further than `cap` + 1 (shown as "cap+")."""
    return report_tickets(scope, filters)[: cap + 1].count()
