"""Bulk actions on the queue: the same services and rules as one by one, skips reported with why."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from sync.models import SyncJob
from tests.cast import complaint, nik_with_serial
from tickets import services
from tickets.models import StaffAlert, Ticket

pytestmark = pytest.mark.django_db
URL = reverse("queue_bulk")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # "Cek sekarang" is rate-limited per ticket in the cache


def open_many(office, creator, count, start=1):
    return [
        services.open_ticket(office=office, created_by=creator, complaint=complaint(nik=nik_with_serial(n)))
        for n in range(start, start + count)
    ]


def shown(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_taking_tickets_in_bulk_assigns_them_to_me_and_skips_a_closed_one(
    clerk_client, office, clerk, supervisor
):
    first, second, done = open_many(office, supervisor, 3)
    services.close_ticket(ticket=done, actor=supervisor, reason="Duplikat.")
    response = clerk_client.post(
        URL, {"tickets": [first.code, second.code, done.code], "action": "take", "back": "status=&page=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/tiket/?page=1"
    assert set(Ticket.objects.filter(assignee=clerk).values_list("code", flat=True)) == {
        first.code,
        second.code,
    }
    messages = shown(response)
    assert messages[0] == f"2 tiket diproses: {first.display_code}, {second.display_code}."
    assert messages[1] == f"1 tiket dilewati: sudah Ditutup ({done.display_code})."


def test_a_ticket_already_mine_is_skipped_with_the_reason(clerk_client, office, clerk):
    (mine,) = open_many(office, clerk, 1)
    response = clerk_client.post(URL, {"tickets": [mine.code], "action": "take"})
    assert shown(response) == [f"1 tiket dilewati: sudah Anda tangani ({mine.display_code})."]


def test_re_checking_in_bulk_follows_the_cek_sekarang_rules_and_cooldown(clerk_client, office, clerk):
    accepted, waiting = open_many(office, clerk, 2)
    SyncJob.objects.filter(ticket=accepted).update(state=SyncJob.State.ACCEPTED)
    response = clerk_client.post(URL, {"tickets": [accepted.code, waiting.code], "action": "check"})
    assert shown(response) == [
        f"1 tiket diproses: {accepted.display_code}.",
        f"1 tiket dilewati: Tiket ini belum diterima pusat; belum ada yang bisa dicek. ({waiting.display_code}).",
    ]
    again = clerk_client.post(URL, {"tickets": [accepted.code], "action": "check"})
    assert (
        shown(again)[-1]
        == f"1 tiket dilewati: Tunggu 30 detik sebelum mengulang tindakan ini. ({accepted.display_code})."
    )


def test_a_ticket_of_another_office_refuses_the_whole_request_and_nothing_is_done(
    clerk_client, office, clerk, supervisor, other_office, other_clerk
):
    (mine,) = open_many(office, supervisor, 1)
    (theirs,) = open_many(other_office, other_clerk, 1, start=50)
    response = clerk_client.post(URL, {"tickets": [mine.code, theirs.code], "action": "take"})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=mine.pk).assignee == supervisor
    assert Ticket.objects.get(pk=theirs.pk).assignee == other_clerk


@pytest.mark.parametrize("action", ["close", "assign"])
def test_counter_staff_may_not_close_or_assign_to_others_in_bulk(clerk_client, office, clerk, action):
    (ticket,) = open_many(office, clerk, 1)
    response = clerk_client.post(
        URL, {"tickets": [ticket.code], "action": action, "reason": "Duplikat", "assignee": clerk.pk}
    )
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_closing_in_bulk_needs_a_reason_beside_its_field_and_keeps_the_ticks(
    supervisor_client, office, clerk
):
    first, second = open_many(office, clerk, 2)
    response = supervisor_client.post(
        URL, {"tickets": [first.code, second.code], "action": "close", "reason": "  ", "back": "sort=urgent"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="bulk-reason-error">Alasan wajib diisi untuk menutup tiket.<' in html
    assert f'value="{first.code}" form="queue-bulk" id="pick-{first.code}" data-pick checked' in html
    assert response.context["form"]["sort"].value() == "urgent"
    assert not Ticket.objects.filter(status="closed").exists()


def test_a_supervisor_closes_in_bulk_with_the_reason_on_each_timeline(supervisor_client, office, clerk):
    first, second = open_many(office, clerk, 2)
    supervisor_client.post(
        URL, {"tickets": [first.code, second.code], "action": "close", "reason": "Dicabut"}
    )
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == "closed" and ticket.outcome_note == "Dicabut"
        assert ticket.events.filter(message="Dicabut", to_status="closed").exists()


def test_a_supervisor_assigns_in_bulk_and_the_assignee_is_alerted_once_per_ticket(
    supervisor_client, office, clerk, supervisor
):
    first, second = open_many(office, supervisor, 2)
    response = supervisor_client.post(
        URL, {"tickets": [first.code, second.code], "action": "assign", "assignee": clerk.pk}
    )
    assert shown(response)[0].startswith("2 tiket diproses")
    assert StaffAlert.objects.filter(user=clerk, kind="assigned").count() == 2


def test_assigning_without_choosing_someone_is_an_error_beside_the_field(supervisor_client, office, clerk):
    (ticket,) = open_many(office, clerk, 1)
    response = supervisor_client.post(URL, {"tickets": [ticket.code], "action": "assign"})
    assert response.status_code == 400
    assert 'id="bulk-assignee-error">Pilih petugas tujuan.<' in response.content.decode()


def test_nothing_ticked_is_an_error_not_a_server_error(clerk_client):
    response = clerk_client.post(URL, {"action": "take"})
    assert response.status_code == 400
    assert "Pilih minimal satu tiket." in response.content.decode()


def test_bulk_actions_are_post_only(clerk_client):
    assert clerk_client.get(URL).status_code == 405


def test_the_queue_offers_counter_staff_take_and_re_check_only(clerk_client):
    html = clerk_client.get(reverse("tickets:queue")).content.decode()
    assert 'value="take"' in html and 'value="check"' in html
    assert 'value="close"' not in html and 'name="assignee"' not in html


def test_the_queue_offers_supervisors_assign_and_close_too(supervisor_client):
    html = supervisor_client.get(reverse("tickets:queue")).content.decode()
    assert 'value="assign"' in html and 'value="close"' in html and 'name="reason"' in html


def test_every_row_has_a_labelled_checkbox_and_the_page_a_select_all(clerk_client, office, clerk):
    (ticket,) = open_many(office, clerk, 1)
    html = clerk_client.get(reverse("tickets:queue")).content.decode()
    assert (
        f'<label class="visually-hidden" for="pick-{ticket.code}">Pilih tiket {ticket.display_code}</label>'
        in html
    )
    assert '<label class="visually-hidden" for="select-all">Pilih semua tiket di halaman ini</label>' in html
