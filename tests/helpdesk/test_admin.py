import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model, office):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    return client


@pytest.fixture
def tickets(office, clerk):
    return [
        services.open_ticket(office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n)))
        for n in range(1, 4)
    ]


@pytest.mark.parametrize(
    "model",
    [
        "tickets/ticket",
        "tickets/ticketevent",
        "tickets/office",
        "tickets/staffprofile",
        "citizens/citizen",
        "citizens/familycard",
        "citizens/region",
        "citizens/personaldataaccess",
        "sync/syncjob",
        "sync/syncattempt",
        "desk/dailystatuscount",
    ],
)
def test_every_model_has_a_working_list_page(admin_client, tickets, model):
    response = admin_client.get(reverse(f"admin:{model.replace('/', '_')}_changelist"))
    assert response.status_code == 200
    assert NIK not in response.content.decode()


def test_tickets_are_found_by_full_nik_through_the_digest(admin_client, tickets):
    url = reverse("admin:tickets_ticket_changelist")
    response = admin_client.post(url, {"q": NIK, "_post_search": "1"}, follow=True)
    assert [t.pk for t in response.context["cl"].result_list] == [tickets[0].pk]
    response = admin_client.get(url, {"q": tickets[1].display_code})
    assert [t.pk for t in response.context["cl"].result_list] == [tickets[1].pk]


def test_tickets_and_events_cannot_be_deleted_or_edited_in_the_admin(admin_client, tickets):
    ticket = tickets[0]
    assert (
        admin_client.post(
            reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event = ticket.events.first()
    assert (
        admin_client.post(
            reverse("admin:tickets_ticketevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Ticket.objects.count() == 3 and TicketEvent.objects.filter(pk=event.pk).exists()
    change = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert change.status_code == 200 and 'name="status"' not in change.content.decode()


def test_the_ticket_list_runs_a_constant_number_of_queries(admin_client, office, clerk, tickets):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(reverse("admin:tickets_ticket_changelist"))
        return len(captured)

    few = queries()
    for n in range(10, 30):
        services.open_ticket(office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n)))
    assert queries() == few


def test_the_outbox_admin_never_shows_the_payload(admin_client, tickets):
    job = tickets[0].sync_job
    html = admin_client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()
    assert NIK not in html and "payload" not in html


EVERY_CHANGELIST = [
    "tickets/ticket",
    "tickets/ticketevent",
    "tickets/office",
    "tickets/staffprofile",
    "citizens/citizen",
    "citizens/familycard",
    "citizens/personaldataaccess",
    "sync/syncjob",
    "sync/syncattempt",
    "notifications/notification",
    "audit/auditentry",
]


def open_with_history(office, clerk, serials) -> None:
    """Tickets with everything the admin lists: citizen, KK, events, outbox row and its attempts,
    notification, a recorded look at the full NIK and its audit entry."""
    from citizens.services import record_access
    from sync.models import SyncAttempt

    for n in serials:
        ticket = services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n))
        )
        services.add_note(ticket=ticket, actor=clerk, text=f"Catatan {n}.")
        SyncAttempt.objects.create(
            job=ticket.sync_job, operation="push", outcome="accepted", status_code=202, latency_ms=40
        )
        record_access(citizen=ticket.citizen, viewer=clerk, purpose=f"ticket {ticket.code}", ticket=ticket)


@pytest.mark.parametrize("model", EVERY_CHANGELIST)
def test_every_list_page_runs_the_same_number_of_queries_for_3_or_15_rows(admin_client, office, clerk, model):
    url = reverse(f"admin:{model.replace('/', '_')}_changelist")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    open_with_history(office, clerk, range(1, 4))
    few = queries()
    open_with_history(office, clerk, range(10, 22))
    assert queries() == few
