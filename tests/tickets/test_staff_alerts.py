"""Staff are told in the app when a ticket is given to them or one of theirs escalates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import complaint, make_staff, nik_with_serial
from tickets import services
from tickets.models import StaffAlert
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.django_db
ALERTS = reverse("tickets:alerts")
READ = reverse("tickets:alerts_read")


def open_ticket(office, creator, serial=1):
    return services.open_ticket(
        office=office, created_by=creator, complaint=complaint(nik=nik_with_serial(serial))
    )


def test_assigning_a_ticket_to_someone_else_alerts_them_in_the_same_transaction(office, clerk, supervisor):
    ticket = open_ticket(office, supervisor)
    services.assign_ticket(ticket=ticket, actor=supervisor, assignee=clerk)
    alert = StaffAlert.objects.get()
    assert (alert.user, alert.ticket, alert.kind, alert.read_at) == (clerk, ticket, "assigned", None)


def test_taking_a_ticket_yourself_writes_no_alert(office, clerk, supervisor):
    ticket = open_ticket(office, supervisor)
    services.assign_ticket(ticket=ticket, actor=clerk, assignee=clerk)
    assert not StaffAlert.objects.exists()


def test_a_failed_assignment_leaves_no_alert(office, clerk, supervisor):
    ticket = open_ticket(office, supervisor)
    services.close_ticket(ticket=ticket, actor=supervisor, reason="Duplikat")
    with pytest.raises(services.TicketError):
        services.assign_ticket(ticket=ticket, actor=supervisor, assignee=clerk)
    assert not StaffAlert.objects.exists()


def test_an_escalation_alerts_the_tickets_assignee(office, clerk):
    ticket = open_ticket(office, clerk)
    services.escalate_ticket(ticket=ticket, actor=None, reason="SLA lewat")
    assert StaffAlert.objects.get().kind == "escalated"
    assert StaffAlert.objects.get().user == clerk


def test_escalating_your_own_ticket_yourself_writes_no_alert(office, clerk):
    ticket = open_ticket(office, clerk)
    services.escalate_ticket(ticket=ticket, actor=clerk, reason="Pemohon mendesak")
    assert not StaffAlert.objects.exists()


def test_the_navbar_badge_counts_my_unread_alerts(clerk_client, office, clerk, supervisor):
    for serial in (1, 2):
        services.assign_ticket(
            ticket=open_ticket(office, supervisor, serial), actor=supervisor, assignee=clerk
        )
    html = clerk_client.get(reverse("tickets:queue")).content.decode()
    assert (
        '<span class="badge text-bg-warning" id="alert-badge">2<span class="visually-hidden"> belum dibaca'
        in html
    )


def test_no_badge_without_unread_alerts(clerk_client):
    assert 'id="alert-badge"' not in clerk_client.get(reverse("tickets:queue")).content.decode()


def test_the_badge_stops_counting_at_99(clerk_client, office, clerk, supervisor):
    ticket = open_ticket(office, supervisor)
    StaffAlert.objects.bulk_create(StaffAlert(user=clerk, ticket=ticket, kind="assigned") for _ in range(120))
    assert 'id="alert-badge">99+<' in clerk_client.get(reverse("tickets:queue")).content.decode()


def test_the_alerts_page_lists_mine_with_links_and_marks_one_read(clerk_client, office, clerk, supervisor):
    first, second = open_ticket(office, supervisor, 1), open_ticket(office, supervisor, 2)
    for ticket in (first, second):
        services.assign_ticket(ticket=ticket, actor=supervisor, assignee=clerk)
    html = clerk_client.get(ALERTS).content.decode()
    assert f'href="/tiket/{first.code}/"' in html and "Tiket dialihkan kepada Anda" in html
    one = StaffAlert.objects.get(ticket=first)
    response = clerk_client.post(READ, {"alert": one.pk})
    assert response.status_code == 302
    assert StaffAlert.objects.filter(read_at__isnull=True).get().ticket == second


def test_mark_all_read_clears_the_badge(clerk_client, office, clerk, supervisor):
    services.assign_ticket(ticket=open_ticket(office, supervisor), actor=supervisor, assignee=clerk)
    clerk_client.post(READ)
    assert 'id="alert-badge"' not in clerk_client.get(ALERTS).content.decode()
    assert not StaffAlert.objects.filter(read_at__isnull=True).exists()


def test_no_one_can_mark_someone_elses_alert_read(clerk_client, office, supervisor):
    other = make_staff("petugas2", office, COUNTER_GROUP)
    services.assign_ticket(ticket=open_ticket(office, supervisor), actor=supervisor, assignee=other)
    clerk_client.post(READ, {"alert": StaffAlert.objects.get().pk})
    assert StaffAlert.objects.get().read_at is None


def test_marking_read_is_post_only(clerk_client):
    assert clerk_client.get(READ).status_code == 405


def test_the_alerts_page_runs_the_same_number_of_queries_for_2_or_20_alerts(
    clerk_client, office, clerk, supervisor
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.get(ALERTS).status_code == 200
        return len(captured)

    for serial in range(1, 3):
        services.assign_ticket(
            ticket=open_ticket(office, supervisor, serial), actor=supervisor, assignee=clerk
        )
    few = queries()
    for serial in range(3, 21):
        services.assign_ticket(
            ticket=open_ticket(office, supervisor, serial), actor=supervisor, assignee=clerk
        )
    assert queries() == few


def test_the_badge_costs_one_query_and_none_on_a_page_without_a_navbar(clerk_client, client, office):
    with CaptureQueriesContext(connection) as captured:
        clerk_client.get(reverse("tickets:queue"))
    assert len([q for q in captured if "tickets_staffalert" in q["sql"]]) == 1
    client.logout()
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("public_status"))
    assert not [q for q in captured if "tickets_staffalert" in q["sql"]]
