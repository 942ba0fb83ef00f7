import pytest
from django.urls import reverse

from citizens.models import PersonalDataAccess
from tests.cast import NIK, complaint
from tickets import services
from tickets.models import TicketEvent
from tickets.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(office, clerk):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint())


def detail_url(ticket):
    return reverse("tickets:detail", args=[ticket.code])


def action_url(ticket, action):
    return reverse("tickets:action", args=[ticket.code, action])


def test_the_detail_shows_the_timeline_and_a_masked_nik_by_default(clerk_client, ticket):
    html = clerk_client.get(detail_url(ticket)).content.decode()
    assert "Pengaduan dibuat" in html and "************0001" in html
    assert NIK not in html


def test_revealing_the_full_nik_is_logged_with_who_and_where(clerk_client, clerk, ticket):
    response = clerk_client.post(reverse("tickets:reveal_nik", args=[ticket.code]), REMOTE_ADDR="10.1.2.3")
    assert NIK in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.citizen, access.ip_address) == (clerk, ticket.citizen, "10.1.2.3")
    assert NIK not in access.purpose


def test_a_ticket_of_another_office_is_not_found(client, other_clerk, ticket):
    client.force_login(other_clerk)
    assert client.get(detail_url(ticket)).status_code == 404
    assert client.post(reverse("tickets:reveal_nik", args=[ticket.code])).status_code == 404
    assert client.post(action_url(ticket, "note"), {"text": "x"}).status_code == 404


def test_an_unknown_code_is_not_found(clerk_client):
    assert clerk_client.get(reverse("tickets:detail", args=["ZZZZZZZZZZ"])).status_code == 404


def test_a_note_lands_on_the_timeline(clerk_client, ticket):
    response = clerk_client.post(action_url(ticket, "note"), {"text": "Pemohon membawa KK asli."})
    assert response.status_code == 302
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, message="Pemohon membawa KK asli.").exists()


def test_an_empty_note_shows_a_field_error_and_saves_nothing(clerk_client, ticket):
    response = clerk_client.post(action_url(ticket, "note"), {"text": ""})
    assert response.status_code == 400
    assert response.context["note_form"].errors["text"]
    assert ticket.events.count() == 1


def test_counter_staff_cannot_close_or_reassign_even_by_posting_directly(clerk_client, ticket, supervisor):
    assert clerk_client.post(action_url(ticket, "close"), {"reason": "x"}).status_code == 403
    assert clerk_client.post(action_url(ticket, "assign"), {"assignee": supervisor.pk}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_the_close_button_is_offered_to_supervisors_only(clerk_client, client, supervisor, ticket):
    assert action_url(ticket, "close") not in clerk_client.get(detail_url(ticket)).content.decode()
    client.force_login(supervisor)
    assert action_url(ticket, "close") in client.get(detail_url(ticket)).content.decode()


def test_a_supervisor_closes_a_ticket_with_a_reason(supervisor_client, ticket):
    response = supervisor_client.post(action_url(ticket, "close"), {"reason": "Duplikat dengan tiket lain."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.outcome_note == "Duplikat dengan tiket lain."


def test_closing_without_a_reason_shows_the_error_and_keeps_the_status(supervisor_client, ticket):
    response = supervisor_client.post(action_url(ticket, "close"), {"reason": ""})
    assert response.status_code == 400 and response.context["reason_form"].errors["reason"]
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_supervisor_reassigns_to_staff_of_the_same_office_only(
    supervisor_client, ticket, supervisor, other_clerk
):
    assert (
        supervisor_client.post(action_url(ticket, "assign"), {"assignee": other_clerk.pk}).status_code == 400
    )
    assert (
        supervisor_client.post(action_url(ticket, "assign"), {"assignee": supervisor.pk}).status_code == 302
    )
    ticket.refresh_from_db()
    assert ticket.assignee == supervisor


def test_a_clerk_takes_a_ticket(client, supervisor, ticket, clerk):
    services.assign_ticket(ticket=ticket, actor=supervisor, assignee=supervisor)
    client.force_login(clerk)
    client.post(action_url(ticket, "take"))
    ticket.refresh_from_db()
    assert ticket.assignee == clerk


def test_an_unknown_action_is_refused(clerk_client, ticket):
    assert clerk_client.post(action_url(ticket, "explode")).status_code == 403


def test_actions_refuse_get(clerk_client, ticket):
    assert clerk_client.get(action_url(ticket, "note")).status_code == 405


class TestSlip:
    def test_the_slip_has_the_code_a_masked_nik_the_sla_and_a_qr_code(self, clerk_client, ticket):
        html = clerk_client.get(reverse("tickets:slip", args=[ticket.code])).content.decode()
        assert ticket.display_code in html and "************0001" in html and "1x24 jam" in html
        assert "<svg" in html
        assert NIK not in html

    def test_the_qr_code_points_to_the_status_page_with_the_code_as_printed_and_without_the_nik(
        self, clerk_client, ticket
    ):
        response = clerk_client.get(reverse("tickets:slip", args=[ticket.code]))
        assert response.context["status_url"].endswith(f"/cek-status/?kode={ticket.display_code}")
        assert NIK not in response.context["status_url"]


def test_the_detail_runs_the_same_number_of_queries_for_a_short_or_long_timeline(clerk_client, clerk, ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.get(detail_url(ticket)).status_code == 200
        return len(captured)

    services.add_note(ticket=ticket, actor=clerk, text="Catatan pertama.")
    short = queries()
    for n in range(20):
        services.add_note(ticket=ticket, actor=clerk, text=f"Catatan {n}.")
    assert queries() == short
