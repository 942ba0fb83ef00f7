"""Writes of staff alerts: a ticket given to someone, or escalated while it is theirs (the menu's bell).

Reads (the badge count, the list) are in tickets/selectors.py.
"""

from django.utils import timezone

from tickets.models import StaffAlert, Ticket


def alert_staff(ticket: Ticket, *, user_id: int, kind: str) -> StaffAlert:
    return StaffAlert.objects.create(user_id=user_id, ticket=ticket, kind=kind)


def mark_alerts_read(*, user, alert_ids: list[int] | None = None) -> int:
    """Mark the user's unread alerts read (those in `alert_ids`, or all); return how many changed."""
    alerts = StaffAlert.objects.filter(user=user, read_at__isnull=True)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=alert_ids)
    return alerts.update(read_at=timezone.now())
