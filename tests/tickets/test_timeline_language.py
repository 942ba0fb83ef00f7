"""The timeline is read in the reader's language, whatever language wrote it (issue 15 §6)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, gettext_noop

from desk import services as desk_services
from sync import services as sync_services
from tests.cast import complaint
from tickets import services
from tickets.models import TicketEvent
from tickets.texts import EventText

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_staff_cooldown():
    cache.clear()  # the staff actions' cooldown keys live in Redis across test runs


@pytest.fixture
def ticket(office, clerk):
    with translation.override("id"):  # as a worker or an Indonesian clerk writes it
        return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def read_in_english(client, ticket) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()


def test_events_written_in_indonesian_read_in_english_for_an_english_reader(clerk_client, ticket):
    with translation.override("id"):
        now = timezone.now()
        services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now)
        services.mark_verified(ticket=ticket)
    html = read_in_english(clerk_client, ticket)
    assert "Complaint recorded at the counter." in html
    assert "Data accepted by the centre; waiting for synchronisation (max. 24 hours)." in html
    assert "The data at the centre is now correct. Complaint resolved." in html
    assert "Pengaduan dicatat di loket." not in html and "Data di pusat sudah sesuai" not in html


def test_the_stored_text_stays_indonesian_for_the_admin_and_exports(ticket):
    event = ticket.events.get()
    assert event.message == "Pengaduan dicatat di loket."
    assert event.message_id == "Pengaduan dicatat di loket."


def test_a_note_reads_as_the_clerk_typed_it_in_english_mode(clerk_client, clerk, ticket):
    services.add_note(ticket=ticket, actor=clerk, text="Pemohon membawa KK asli.")
    assert "Pemohon membawa KK asli." in read_in_english(clerk_client, ticket)
    assert ticket.events.get(kind=TicketEvent.Kind.NOTE).message_id == ""


def test_a_typed_reason_stays_as_typed_while_a_system_reason_is_translated(clerk_client, supervisor, ticket):
    with translation.override("id"):
        services.escalate_ticket(
            ticket=ticket,
            actor=None,
            reason=EventText(gettext_noop("Pengiriman ke pusat terhenti berulang kali.")),
        )
        services.close_ticket(ticket=ticket, actor=supervisor, reason="Pemohon mencabut pengaduan.")
    html = read_in_english(clerk_client, ticket)
    assert "Pengiriman ke pusat terhenti" not in html
    assert "Pemohon mencabut pengaduan." in html


def test_a_staff_sync_request_reads_in_english(clerk_client, clerk, ticket):
    with translation.override("id"):
        sync_services.request_repush(ticket=ticket, actor=clerk)
    html = read_in_english(clerk_client, ticket)
    assert "Petugas mengirim ulang data ke pusat." not in html
    assert ticket.events.get(kind=TicketEvent.Kind.SYNC).message_id == "Petugas mengirim ulang data ke pusat."


def test_an_escalation_contact_keeps_the_typed_note_and_translates_the_rest(clerk_client, clerk, ticket):
    with translation.override("id"):
        now = timezone.now()
        ticket = services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now)
        desk_services.record_escalation_contact(
            ticket=ticket, actor=clerk, channel="email", note="dikirim ke pusat pukul 09.00"
        )
    html = read_in_english(clerk_client, ticket)
    assert "Central staff contacted via Email. Note: dikirim ke pusat pukul 09.00" in html
    assert "Escalated to the central staff via Email." in html


def test_a_choice_label_parameter_is_translated_when_read():
    with translation.override("id"):
        text = EventText(
            gettext_noop("%(kind)s: %(reason)s"), kind=gettext_lazy("Duplikat"), reason="tiket ganda"
        )
    assert text == "Duplikat: tiket ganda"
    assert text.params == {"kind": {"msgid": "Duplikat"}, "reason": "tiket ganda"}
    with translation.override("en"):
        assert TicketEvent(message=text, message_id=text.msgid, message_params=text.params).text == (
            "Duplicate: tiket ganda"
        )


def test_an_event_written_before_msgids_were_stored_shows_its_stored_text(ticket):
    event = TicketEvent(ticket=ticket, message="Teks lama dari sebelum pembaruan.")
    with translation.override("en"):
        assert event.text == "Teks lama dari sebelum pembaruan."


def test_parameters_that_do_not_fit_the_msgid_fall_back_to_the_stored_text(ticket):
    event = TicketEvent(ticket=ticket, message="Ditangani oleh Budi.", message_id="Ditangani oleh %(name)s.")
    with translation.override("en"):
        assert event.text == "Ditangani oleh Budi."
