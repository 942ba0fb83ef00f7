"""The dashboard's two stages (issue 18): where the office's open tickets stand with the centre, and
how the portals the citizens named followed the centre in the period.

Constant in the number of tickets: the centre's side is read from the open counts the headline
already has; the portal side reads the period's rows through the partial indexes
ticket_portal_seen and ticket_portal_window_passed.
"""

from django.db.models import Count, DurationField, ExpressionWrapper, F

from desk.selectors.dashboard import Period, duration_percentiles
from tickets.models import Ticket
from tickets.workflow import Status


def centre_states(open_by_status: dict) -> list[tuple[str, int]]:
    """Return the open tickets by where the centre stands: (code, count), in the ticket's order.

    "accepted" is the centre's acceptance without the data showing yet, escalated or not.
    """
    count = open_by_status.get
    return [
        ("awaiting_acceptance", count(Status.NEW, 0)),
        ("accepted", count(Status.SENT, 0) + count(Status.ESCALATED, 0)),
        ("action_needed", count(Status.ACTION_NEEDED, 0)),
        ("centre_applied", count(Status.CENTRE_APPLIED, 0)),
    ]


def portal_stage(office, period: Period, open_by_status: dict) -> dict:
    """Return the portal stage: waiting now, seen and window passed in the period, and the time from
    centre-applied to portal-visible of the tickets the portal saw in the period (median, p90)."""
    tickets = Ticket.objects.filter(office=office)
    seen = tickets.filter(portal_seen_at__gte=period.start, portal_seen_at__lt=period.end)
    lag = ExpressionWrapper(F("portal_seen_at") - F("centre_applied_at"), output_field=DurationField())
    median, p90 = duration_percentiles(seen.filter(centre_applied_at__isnull=False), lag)
    passed = tickets.filter(
        portal_window_passed_at__gte=period.start, portal_window_passed_at__lt=period.end
    ).aggregate(n=Count("id"))["n"]
    return {
        "waiting": open_by_status.get(Status.CENTRE_APPLIED, 0),
        "seen": seen.aggregate(n=Count("id"))["n"],
        "window_passed": passed,
        "median_to_portal": median,
        "p90_to_portal": p90,
    }
