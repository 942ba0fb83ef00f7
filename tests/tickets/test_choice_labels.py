"""Ticket labels come from one cached lookup but are still translated into the active language."""

from django.utils import translation

from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status


def test_the_label_follows_the_active_language():
    ticket = Ticket(status=Status.SENT)
    with translation.override("id"):
        assert ticket.get_status_display() == "Dikirim ke pusat"
    with translation.override("en"):
        assert ticket.get_status_display() == "Sent to the centre"
    with translation.override("id"):
        assert ticket.get_status_display() == "Dikirim ke pusat"


def test_a_value_outside_the_choices_shows_as_itself():
    assert Ticket(status="archived").get_status_display() == "archived"
    assert TicketEvent(to_status="").get_to_status_display() == ""


def test_each_field_has_its_own_labels():
    event = TicketEvent(kind=TicketEvent.Kind.NOTE, to_status=Status.RESOLVED)
    with translation.override("id"):
        assert event.get_kind_display() == str(TicketEvent.Kind.NOTE.label)
        assert event.get_to_status_display() == "Selesai"
