"""Reads of tickets that are more than a simple filter."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from citizens.models import Citizen
from citizens.nik import mask
from citizens.pagination import QUEUE_COUNT_CAP, CappedPaginator  # noqa: F401 - re-exported for views
from tickets.models import Ticket, normalize_ticket_code
from tickets.permissions import sees_all_offices
from tickets.workflow import OPEN_STATUSES


def visible_tickets(user) -> QuerySet:
    """Return the tickets `user` may see: their office's, or all for those allowed."""
    tickets = Ticket.objects.all()
    if sees_all_offices(user):
        return tickets
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return tickets.none()
    return tickets.filter(office_id=profile.office_id)


def get_ticket_for_user(user, code: str) -> Ticket:
    """Return the ticket with `code` if `user` may see it; 404 otherwise (no hint it exists)."""
    # The full NIK and KK stay encrypted until a view asks for them (reveal, export, payload):
    # the page shows their last four digits, from clear columns.
    tickets = (
        visible_tickets(user)
        .select_related("citizen", "assignee", "office")
        .defer("kk_number", "citizen__nik")
    )
    ticket = tickets.filter(code=normalize_ticket_code(code)).order_by().first()
    if ticket is None:
        raise Http404
    return ticket


def queue(user, *, filters: dict, search: str = "") -> QuerySet:
    """Return the queue for `user` with the queue form's cleaned `filters` applied.

    Citizens and assignees come by prefetch (one query each for the page), not by join: a join
    runs for every row the OFFSET skips, so page 400 would join 10,000 rows to show 25.
    """
    # A list row shows masked numbers from the clear last-four columns: loading the encrypted
    # columns would only spend a Fernet decryption per value and row.
    citizens = Prefetch("citizen", queryset=Citizen.objects.only("id", "full_name", "nik_last4"))
    tickets = (
        visible_tickets(user)
        .defer("kk_number", "kk_number_old", "description", "outcome_note")
        .prefetch_related(citizens, "assignee")
    )
    if search:
        tickets = _search(tickets, search)
    if filters.get("status"):
        tickets = tickets.filter(status=filters["status"])
    if filters.get("category"):
        tickets = tickets.filter(category=filters["category"])
    if filters.get("service"):
        tickets = tickets.filter(service=filters["service"])
    if filters.get("mine"):
        tickets = tickets.filter(assignee=user)
    if filters.get("overdue"):
        tickets = tickets.overdue()
    # Overdue tickets are read by lateness, whatever the sort box says.
    if filters.get("sort") == "urgent" or filters.get("overdue"):
        return tickets.filter(status__in=OPEN_STATUSES).order_by("due_at", "id")
    return tickets.order_by("-created_at", "-id")


def _search_digits(text: str) -> str | None:
    digits = "".join(ch for ch in text if ch in "0123456789")
    return digits if len(digits) == 16 else None


def _search(tickets: QuerySet, text: str) -> QuerySet:
    """Filter by exact ticket code, or by exact NIK through its keyed digest."""
    digits = _search_digits(text)
    if digits:
        return tickets.filter(citizen__in=Citizen.objects.with_nik(digits).values("pk"))
    code = normalize_ticket_code(text)
    return tickets.filter(code=code) if code else tickets.none()


def search_label(text: str) -> str:
    """Return what the page may show of a search: a NIK masked, a code as typed."""
    if not text:
        return ""
    digits = _search_digits(text)
    return mask(digits) if digits else normalize_ticket_code(text)


def staff_of_office(office_id) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(staff_profile__office_id=office_id, is_active=True)
        .order_by("username")
    )


def timeline(ticket: Ticket) -> QuerySet:
    return ticket.events.select_related("actor").order_by("created_at", "id")


def ticket_for_code_resend(nik_digest: str) -> Ticket | None:
    """Return the citizen's newest open ticket when there is a phone to send its code to."""
    ticket = (
        Ticket.objects.filter(citizen__nik_digest=nik_digest, status__in=OPEN_STATUSES)
        .select_related("citizen")
        .order_by("-created_at")
        .first()
    )
    return ticket if ticket is not None and ticket.citizen.phone else None
