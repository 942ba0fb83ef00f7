import datetime as dt

import pytest
from django.utils import timezone

from citizens.models import Citizen, FamilyMembership
from tests.cast import KK_NEW, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.signals import ticket_opened
from tickets.workflow import IllegalTransition, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def test_opening_a_ticket_records_the_citizen_the_kk_and_the_first_event(ticket, clerk):
    assert ticket.status == Status.NEW
    assert ticket.assignee == clerk
    assert ticket.citizen.family_card.kk_number == KK_NEW
    assert ticket.due_at > timezone.now()
    event = ticket.events.get()
    assert (event.kind, event.to_status, event.actor) == (TicketEvent.Kind.OPENED, Status.NEW, clerk)


def test_ticket_opened_lets_receivers_write_in_the_same_transaction(office, clerk):
    def receiver(sender, ticket, **kwargs):
        raise RuntimeError("receiver failed")

    ticket_opened.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    finally:
        ticket_opened.disconnect(receiver)
    assert not Ticket.objects.exists() and not Citizen.objects.exists()


def test_a_second_open_ticket_for_the_same_nik_and_category_is_refused(ticket, office, clerk):
    with pytest.raises(services.DuplicateOpenTicket) as excinfo:
        services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    assert excinfo.value.existing == ticket
    assert Ticket.objects.count() == 1


def test_another_category_for_the_same_nik_is_a_new_ticket(ticket, office, clerk):
    second = services.open_ticket(office=office, created_by=clerk, complaint=complaint(category="name"))
    assert second.citizen == ticket.citizen


def test_a_closed_complaint_can_be_filed_again(ticket, office, clerk, supervisor):
    services.close_ticket(ticket=ticket, actor=supervisor, reason="Ditarik pemohon.")
    again = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    assert again.pk != ticket.pk


def test_a_new_kk_keeps_the_old_one_in_the_history(ticket, office, clerk, supervisor):
    services.close_ticket(ticket=ticket, actor=supervisor, reason="Duplikat.")
    newer_kk = "3319012010260004"
    services.open_ticket(office=office, created_by=clerk, complaint=complaint(kk_number=newer_kk))
    citizen = Citizen.objects.get()
    assert citizen.family_card.kk_number == newer_kk
    assert FamilyMembership.objects.filter(citizen=citizen).count() == 2


def test_the_lifecycle_writes_one_event_per_transition(ticket, supervisor):
    now = timezone.now()
    ticket = services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now + dt.timedelta(hours=24))
    assert ticket.status == Status.SENT and ticket.sent_at == now
    ticket = services.escalate_ticket(ticket=ticket, actor=None, reason="Lewat SLA.")
    ticket = services.mark_verified(ticket=ticket, details={"update_id": "u1"})
    assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
    statuses = list(
        ticket.events.filter(kind=TicketEvent.Kind.STATUS).values_list("from_status", "to_status")
    )
    assert statuses == [("new", "sent"), ("sent", "escalated"), ("escalated", "resolved")]
    assert ticket.events.last().actor is None  # the system resolved it


def test_an_illegal_transition_raises_and_changes_nothing(ticket):
    with pytest.raises(IllegalTransition):
        services.mark_verified(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.events.count() == 1


def test_a_reason_is_required_to_reject_or_close(ticket, supervisor):
    for action in (services.reject_ticket, services.close_ticket, services.escalate_ticket):
        with pytest.raises(services.TicketError):
            action(ticket=ticket, actor=supervisor, reason="   ")
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_an_empty_note_is_refused(ticket, clerk):
    with pytest.raises(services.TicketError):
        services.add_note(ticket=ticket, actor=clerk, text="  ")
    assert ticket.events.count() == 1


def test_assigning_records_who_took_over_once(ticket, supervisor):
    services.assign_ticket(ticket=ticket, actor=supervisor, assignee=supervisor)
    services.assign_ticket(ticket=ticket, actor=supervisor, assignee=supervisor)
    assert ticket.events.filter(kind=TicketEvent.Kind.ASSIGNED).count() == 1


def test_a_final_ticket_cannot_be_reassigned(ticket, supervisor, clerk):
    services.close_ticket(ticket=ticket, actor=supervisor, reason="Duplikat.")
    with pytest.raises(services.TicketError):
        services.assign_ticket(ticket=ticket, actor=supervisor, assignee=supervisor)


def test_timeline_events_are_append_only(ticket):
    event = ticket.events.get()
    event.message = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_ticket_codes_are_unambiguous_and_distinct(office, clerk):
    codes = {
        services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n))
        ).code
        for n in range(1, 30)
    }
    assert len(codes) == 29
    assert all(len(code) == 10 and not set(code) & set("01OIL") for code in codes)
