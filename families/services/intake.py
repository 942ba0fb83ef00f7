"""Family groups at the counter: a ticket opened (or linked) for every member of a new KK.

Tickets are only ever opened through `tickets.services.open_ticket`, so each member gets their own
code, timeline and SyncJob (sync's receiver of `ticket_opened`) exactly as at the single intake.
"""

from dataclasses import dataclass

from django.db import transaction

from citizens.models import Citizen
from families.models import FamilyGroup, FamilyMember
from families.services.family_push import plan_counter_push
from tickets.models import Office, Ticket
from tickets.services import Complaint, DuplicateOpenTicket, open_ticket


@dataclass(frozen=True)
class MemberEntry:
    """One member to put in a group: their complaint (own NIK, same KK) and place in the family."""

    complaint: Complaint
    relation: str


def open_ticket_of(nik: str) -> Ticket | None:
    """Return the oldest open ticket of the citizen with `nik` (any category, any office), if any."""
    return (
        Ticket.objects.open()
        .filter(citizen__in=Citizen.objects.with_nik(nik).values("pk"))
        .order_by("created_at", "id")
        .first()
    )


def ticket_for_member(*, office: Office, created_by, complaint: Complaint) -> tuple[Ticket, bool]:
    """Return the member's ticket and whether it was linked rather than opened.

    A member who already has an open ticket (of any category) is linked to it: one person, one
    open problem at the centre. Otherwise a ticket is opened for them; if a clerk elsewhere opened
    the same one an instant earlier, open_ticket's DuplicateOpenTicket names it and we link that.
    """
    return _open_or_link(
        office=office, created_by=created_by, complaint=complaint, existing=open_ticket_of(complaint.nik)
    )


def _open_or_link(
    *, office: Office, created_by, complaint: Complaint, existing: Ticket | None
) -> tuple[Ticket, bool]:
    if existing is not None:
        return existing, True
    try:
        return open_ticket(office=office, created_by=created_by, complaint=complaint), False
    except DuplicateOpenTicket as exc:
        return exc.existing, True


@transaction.atomic
def open_family_group(
    *, office: Office, created_by, kk_number: str, members: list[MemberEntry]
) -> FamilyGroup:
    """Open (or link) a ticket for every member of a new KK and group them, all in one transaction;
    the family goes to the centre as one KK update when it can (families.services.family_push)."""
    group = FamilyGroup.objects.create(
        office=office, kk_number=kk_number, created_by=created_by, source=FamilyGroup.Source.COUNTER
    )
    for position, entry in enumerate(members):
        ticket, linked = ticket_for_member(office=office, created_by=created_by, complaint=entry.complaint)
        FamilyMember.objects.get_or_create(
            group=group,
            ticket=ticket,
            defaults={"relation": entry.relation, "linked": linked, "position": position},
        )
    plan_counter_push(group)
    return group
