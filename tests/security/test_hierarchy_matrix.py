"""The hierarchy's side of the authorization matrix: who reads which office's objects, and that the
reading roles change nothing.

Kudus and Pati are offices of Central Java, Surabaya of East Java. The Kudus supervisor reads Kudus
only; the Central Java provincial supervisor reads Kudus and Pati, read-only; neither reads
Surabaya; the national role reads all three, read-only.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cast import complaint, make_staff, nik_with_serial
from tests.security.conftest import logged_in
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.django_db
READ_ONLY_TEXT = "Peran Anda hanya untuk melihat data."


@pytest.fixture
def tickets(office, pati_office, surabaya_office, clerk):
    """One ticket at each of Kudus, Pati and Surabaya (by office code)."""
    found = {}
    for serial, place in enumerate((office, pati_office, surabaya_office), start=1):
        staff = clerk if place == office else make_staff(f"petugas{place.code}", place, COUNTER_GROUP)
        found[place.code] = services.open_ticket(
            office=place, created_by=staff, complaint=complaint(nik=nik_with_serial(serial))
        )
    return found


def read_urls(ticket) -> list[str]:
    """Every page that shows one office's object, for `ticket`'s office."""
    return [
        reverse("tickets:detail", kwargs={"code": ticket.code}),
        reverse("tickets:slip", kwargs={"code": ticket.code}),
        reverse("sync:panel", kwargs={"code": ticket.code}),
        reverse("subject_access:detail", kwargs={"pk": ticket.citizen_id}),
        reverse("dashboard:index") + f"?kantor={ticket.office.code}",
    ]


SEES = {
    "supervisor": {"3319"},
    "province_supervisor": {"3319", "3318"},
    "national_reader": {"3319", "3318", "3578"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_reads_exactly_the_offices_of_its_scope(role, tickets, request):
    client = logged_in(request.getfixturevalue(role))
    answers = {
        (code, url): client.get(url).status_code
        for code, ticket in tickets.items()
        for url in read_urls(ticket)
    }
    wrong = {
        key: status for key, status in answers.items() if status != (200 if key[0] in SEES[role] else 404)
    }
    assert wrong == {}


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_queue_lists_the_tickets_of_the_scope_and_no_other(role, tickets, request):
    html = logged_in(request.getfixturevalue(role)).get(reverse("tickets:queue")).content.decode()
    shown = {code for code, ticket in tickets.items() if ticket.display_code in html}
    assert shown == SEES[role]


@pytest.mark.parametrize("role", ["province_supervisor", "national_reader"])
def test_a_reading_role_changes_nothing_and_is_told_why(role, tickets, request):
    pati = tickets["3318"]
    client = logged_in(request.getfixturevalue(role))
    events, assignee = TicketEvent.objects.filter(ticket=pati).count(), pati.assignee_id
    posts = [
        (reverse("tickets:action", kwargs={"code": pati.code, "action": "note"}), {"text": "Catatan."}),
        (reverse("tickets:action", kwargs={"code": pati.code, "action": "take"}), {}),
        (reverse("tickets:intake"), {"nik": nik_with_serial(40)}),
        (reverse("escalation:contacted", kwargs={"code": pati.code}), {"channel": "whatsapp"}),
        (reverse("subject_access:detail", kwargs={"pk": pati.citizen_id}), {"full_name": "Nama Lain"}),
        (reverse("queue_bulk"), {"tickets": [pati.code], "action": "take"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert READ_ONLY_TEXT in response.content.decode(), url
    pati.refresh_from_db()
    assert TicketEvent.objects.filter(ticket=pati).count() == events
    assert pati.assignee_id == assignee and pati.citizen.full_name == "Siti Rahayu"
    assert Ticket.objects.count() == 3


def test_the_provincial_report_holds_both_regencies_and_not_east_java(province_supervisor, tickets):
    day = timezone.localdate(tickets["3319"].created_at)
    response = logged_in(province_supervisor).post(
        reverse("reports:csv"), {"start": day.isoformat(), "end": day.isoformat()}
    )
    body = b"".join(response.streaming_content).decode()
    assert {code for code, ticket in tickets.items() if ticket.display_code in body} == {"3319", "3318"}


def test_a_reader_sees_no_write_controls_on_a_ticket(province_supervisor, tickets):
    html = logged_in(province_supervisor).get(
        reverse("tickets:detail", kwargs={"code": tickets["3318"].code})
    )
    text = html.content.decode()
    assert reverse("tickets:reveal_nik", kwargs={"code": tickets["3318"].code}) not in text
    assert reverse("tickets:intake") not in text


@pytest.mark.parametrize("role", ["province_supervisor", "national_reader"])
def test_a_reader_sees_no_write_controls_on_the_queue(role, tickets, request):
    text = logged_in(request.getfixturevalue(role)).get(reverse("tickets:queue")).content.decode()
    assert 'id="queue-bulk"' not in text and reverse("queue_bulk") not in text
    assert reverse("tickets:intake") not in text


def test_a_clerk_has_the_bulk_actions_and_the_intake_button_on_the_queue(clerk_client):
    text = clerk_client.get(reverse("tickets:queue")).content.decode()
    assert 'id="queue-bulk"' in text and reverse("tickets:intake") in text
