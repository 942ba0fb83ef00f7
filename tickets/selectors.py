"""Reads of tickets that are more than a simple filter."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from citizens.models import Citizen
from citizens.nik import mask
from core.pagination import QUEUE_COUNT_CAP, CappedPaginator  # noqa: F401 - re-exported for views
from core.replica import read_one
from core.scoping import scope_of
from tickets.models import CODE_LENGTH, StaffAlert, Ticket, normalize_ticket_code
from tickets.workflow import OPEN_STATUSES


def visible_tickets(user) -> QuerySet:
    """Return the tickets `user` may see: the offices of their scope (core.scoping)."""
    return scope_of(user).rows(Ticket.objects.all())


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
    """Return the queue for `user` with the queue form's cleaned `filters` applied: what is
    counted and paged; `queue_rows` reads a page's rows (CappedPaginator(rows=queue_rows))."""
    tickets = visible_tickets(user)
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


# What a queue row shows. The masked NIK comes from the clear last-four column: loading the
# encrypted one would spend a Fernet decryption per row.
QUEUE_ROW_FIELDS = (
    *("code", "category", "service", "status", "centre_block", "created_at", "due_at"),
    *("citizen__full_name", "citizen__nik_last4", "assignee__username"),
)


def queue_rows(ids: list[int]) -> list[Ticket]:
    """Return the queue page's tickets `ids`, in that order, with their citizen and assignee.

    Joined for these ids only, after the page is chosen: joined in the paged query, the join would
    run for every row the OFFSET skips (page 400 would join 10,000 rows to show 25).
    """
    rows = Ticket.objects.filter(pk__in=ids).select_related("citizen", "assignee").only(*QUEUE_ROW_FIELDS)
    by_id = {ticket.pk: ticket for ticket in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


NAME_SEARCH_MIN_LENGTH = 3  # a trigram index needs three characters to narrow anything
# A search lists at most this many tickets (ten pages). A common name ("Rahayu", "Santoso") matches
# tens of thousands of citizens: counting 10,000 of their tickets took the database ~180 ms at
# 1M tickets, 250 takes ~5; and past ten pages the clerk narrows the search, not pages on.
SEARCH_COUNT_CAP = 250


def _search_digits(text: str) -> str | None:
    digits = "".join(ch for ch in text if ch in "0123456789")
    return digits if len(digits) == 16 else None


def _search_last4(text: str) -> str | None:
    text = text.strip()
    return text if len(text) == 4 and text.isdigit() else None


def _search_code(text: str) -> str | None:
    """Return the code if `text` is shaped like one (ten code characters, spaces and dashes aside)."""
    bare = "".join(text.split()).replace("-", "").upper()
    code = normalize_ticket_code(bare)
    return code if len(code) == len(bare) == CODE_LENGTH else None


def search_kind(text: str) -> str:
    """Return how the queue reads a search: "nik", "last4", "code", "name" or "" (nothing to search)."""
    text = (text or "").strip()
    if _search_digits(text):
        return "nik"
    if _search_last4(text):
        return "last4"
    if _search_code(text):
        return "code"
    if len(text) >= NAME_SEARCH_MIN_LENGTH and any(ch.isalpha() for ch in text):
        return "name"
    return ""


def _search(tickets: QuerySet, text: str) -> QuerySet:
    """Filter by exact NIK (its keyed digest), the NIK's last four digits, a ticket code or a name.

    `tickets` is already scoped to the user's office, so a last-four or name search never reaches
    another office's citizens. A ten-letter text may be a code or a one-word name: a code wins.
    """
    kind = search_kind(text)
    if kind == "nik":
        return tickets.filter(citizen__in=Citizen.objects.with_nik(_search_digits(text)).values("pk"))
    if kind == "last4":
        return tickets.filter(citizen__in=Citizen.objects.filter(nik_last4=text.strip()).values("pk"))
    if kind == "code":
        code = _search_code(text)
        by_code = tickets.filter(code=code)
        if any(ch.isdigit() for ch in code) or by_code.exists():
            return by_code
    if kind in ("code", "name"):
        return tickets.filter(citizen__in=_citizens_named(text).values("pk"))
    return tickets.none()


def _citizens_named(text: str) -> QuerySet:
    """Return citizens whose name contains `text` (any case, spaces squeezed).

    `icontains` is UPPER(full_name) LIKE UPPER('%text%'): on PostgreSQL the trigram index
    citizen_name_trgm serves it (citizens migration 0004); SQLite scans.
    """
    return Citizen.objects.filter(full_name__icontains=" ".join(text.split()))


def search_label(text: str) -> str:
    """Return what the page may show of a search: a NIK masked, a code normalised, else as typed."""
    if not text:
        return ""
    digits = _search_digits(text)
    if digits:
        return mask(digits)
    return normalize_ticket_code(text) if search_kind(text) == "code" else text.strip()


def search_echo(text: str) -> str:
    """Return what goes back into the search box: the text as typed, except a full NIK (UU PDP)."""
    return "" if _search_digits(text or "") else (text or "")


def staff_of_office(office_id) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(staff_profile__office_id=office_id, is_active=True)
        .order_by("username")
    )


def timeline(ticket: Ticket) -> QuerySet:
    return ticket.events.select_related("actor").order_by("created_at", "id")


ALERT_BADGE_CAP = 99


UNREAD_ALERTS_SQL = f"""
SELECT count(*) FROM (
  SELECT 1 FROM {StaffAlert._meta.db_table} WHERE user_id = %s AND read_at IS NULL LIMIT %s
) unread"""


def unread_alert_count(user) -> int:
    """Return how many alerts `user` has not read, counted up to ALERT_BADGE_CAP + 1.

    One statement on the partial index alert_unread, written out: every staff page asks, and the
    ORM spent longer composing this count than the database spent answering it.
    """
    return read_one(StaffAlert, UNREAD_ALERTS_SQL, [user.pk, ALERT_BADGE_CAP + 1])[0]


def alerts_for(user) -> QuerySet:
    """Return the user's alerts, newest first, each with its ticket's code and status."""
    return (
        StaffAlert.objects.filter(user=user)
        .select_related("ticket")
        .only("id", "kind", "created_at", "read_at", "ticket__code", "ticket__status")
        .order_by("-created_at", "-id")
    )


def ticket_for_code_resend(nik_digest: str) -> Ticket | None:
    """Return the citizen's newest open ticket when it has a phone to send its code to."""
    ticket = (
        Ticket.objects.filter(citizen__nik_digest=nik_digest, status__in=OPEN_STATUSES)
        .select_related("citizen")
        .order_by("-created_at")
        .first()
    )
    return ticket if ticket is not None and ticket.phone else None
