"""The escalation desk's reads: which tickets need the centre, one of them, its job to expedite."""

from datetime import datetime

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from sync.models import SyncJob
from tickets.models import Office, Ticket, TicketEvent, normalize_ticket_code
from tickets.workflow import Status


def desk_tickets(scope, *, now: datetime | None = None) -> QuerySet:
    """Return the scope's tickets that need the centre: awaiting it and past the 1x24 jam promise,
    or escalated (a ticket the centre already shows, Selesai di pusat, waits only for its portal).

    Oldest due first; each row carries its last recorded contact with the centre
    (`last_contact_at`, `last_contact_channel`, `last_contact_by`) from one correlated subquery
    each, so a page costs the same number of queries whatever its length.
    """
    now = now or timezone.now()
    contacts = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=TicketEvent.Kind.ESCALATION).order_by(
        "-created_at", "-id"
    )
    return (
        scope.rows(Ticket.objects.open())
        .exclude(status=Status.CENTRE_APPLIED)
        .filter(Q(status=Status.ESCALATED) | Q(due_at__lt=now))
        .select_related("citizen", "assignee", "office")
        .annotate(
            last_contact_at=Subquery(contacts.values("created_at")[:1]),
            last_contact_channel=Subquery(contacts.values("details__channel")[:1]),
            last_contact_by=Subquery(contacts.values("actor__username")[:1]),
        )
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def ticket_in_scope(scope, code: str) -> Ticket:
    """Return the scope's ticket with `code`; 404 for any other (no hint that it exists)."""
    ticket = (
        scope.rows(Ticket.objects.all())
        .select_related("citizen", "office")
        .filter(code=normalize_ticket_code(code))
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


# --- pages ---------------------------------------------------------------------------------------


def tickets_by_code(office: Office, codes: list[str]) -> dict[str, Ticket]:
    """Return the office's tickets among `codes`, by code (another office's codes are left out)."""
    tickets = Ticket.objects.for_office(office).select_related("citizen", "office").filter(code__in=codes)
    return {t.code: t for t in tickets}


def expeditable_job_id(ticket: Ticket) -> int | None:
    """Return the id of the ticket's job the centre accepted with an update id (to expedite), if any."""
    return (
        SyncJob.objects.filter(ticket=ticket, state=SyncJob.State.ACCEPTED)
        .exclude(update_id="")
        .values_list("pk", flat=True)
        .first()
    )
