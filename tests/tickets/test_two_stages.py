"""The two stages on the pages people read: the ticket page (both 1x24 jam clocks, the portal
stage) and the citizen's status page (steps and advice), and the overdue rule that follows the
promise made at the counter."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cast import NIK, complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket
from tickets.workflow import Status

pytestmark = pytest.mark.django_db
STATUS_URL = reverse("public_status")
H = dt.timedelta(hours=1)


def opened(office, clerk, **overrides):
    return services.open_ticket(office=office, created_by=clerk, complaint=complaint(**overrides))


def pushed(ticket, *, hours_after_counter=0.0):
    accepted = ticket.created_at + hours_after_counter * H
    return services.mark_pushed(ticket=ticket, accepted_at=accepted, sla_due_at=accepted + 24 * H)


def centre_applied(ticket):
    return services.mark_centre_applied(ticket=pushed(ticket))


def public(client, ticket):
    return client.post(STATUS_URL, {"nik": NIK, "kode": ticket.code}).context["answer"]


def page(client, ticket):
    return client.get(reverse("tickets:detail", args=[ticket.code])).content.decode()


class TestTicketPage:
    def test_a_ticket_sent_at_once_shows_the_promise_from_the_counter_only(self, clerk_client, office, clerk):
        ticket = pushed(opened(office, clerk))
        html = page(clerk_client, ticket)
        assert "Janji ke penduduk" in html and "(dari loket)" in html
        assert "Batas pusat" not in html

    def test_a_push_accepted_hours_later_shows_both_clocks(self, clerk_client, office, clerk):
        ticket = pushed(opened(office, clerk), hours_after_counter=5)
        html = page(clerk_client, ticket)
        counter = timezone.localtime(ticket.due_at).strftime("%d/%m/%Y %H:%M")
        centre = timezone.localtime(ticket.centre_due_at).strftime("%d/%m/%Y %H:%M")
        assert f"{counter} WIB (dari loket)" in html and f"{centre} WIB (sejak diterima)" in html

    def test_a_centre_applied_ticket_says_the_portal_follows_and_until_when(
        self, clerk_client, office, clerk
    ):
        ticket = centre_applied(opened(office, clerk))
        html = page(clerk_client, ticket)
        assert "Selesai di pusat; SSCASN biasanya menyusul maks. 3x24 jam." in html
        assert timezone.localtime(ticket.portal_due_at).strftime("%d/%m/%Y %H:%M") in html
        assert "Janji ke penduduk" not in html  # the promise is kept: the centre shows the data

    def test_the_portal_window_passing_is_said_on_the_resolved_ticket(self, clerk_client, office, clerk):
        ticket = services.mark_portal_window_passed(ticket=centre_applied(opened(office, clerk)))
        html = page(clerk_client, ticket)
        assert "Batas Portal Lewat" in html and "layanan bantuan portal" in html


class TestOverdueFollowsTheCounter:
    def test_a_sent_ticket_past_the_counters_promise_is_overdue_even_before_the_centres_deadline(
        self, office, clerk
    ):
        ticket = pushed(opened(office, clerk), hours_after_counter=5)
        later = ticket.due_at + H
        assert later < ticket.centre_due_at
        assert ticket.is_overdue(now=later)
        assert Ticket.objects.overdue(now=later).filter(pk=ticket.pk).exists()

    def test_a_centre_applied_ticket_is_never_overdue(self, office, clerk):
        ticket = centre_applied(opened(office, clerk))
        later = ticket.due_at + 48 * H
        assert not ticket.is_overdue(now=later)
        assert not Ticket.objects.overdue(now=later).exists()


class TestStatusPage:
    def test_centre_applied_is_the_current_step_and_the_advice_names_the_portal(self, client, office, clerk):
        ticket = centre_applied(opened(office, clerk))
        answer = public(client, ticket)
        current = [step["label"] for step in answer["steps"] if step["current"]]
        assert current == ["Selesai di pusat; SSCASN biasanya menyusul maks. 3x24 jam."]
        assert not answer["steps"][-1]["done"]
        assert "SSCASN biasanya menyusul maks. 3x24 jam" in answer["advice"]
        assert answer["expected"] == Ticket.objects.get(pk=ticket.pk).portal_due_at

    def test_resolved_by_the_portal_says_to_log_in_again(self, client, office, clerk):
        ticket = services.mark_portal_seen(ticket=centre_applied(opened(office, clerk)))
        answer = public(client, ticket)
        assert all(step["done"] for step in answer["steps"]) and len(answer["steps"]) == 5
        assert answer["advice"] == "Data Anda sudah tampil di SSCASN. Silakan coba login kembali."
        assert answer["expected"] is None

    def test_resolved_after_the_window_says_to_ask_the_portals_helpdesk(self, client, office, clerk):
        ticket = services.mark_portal_window_passed(
            ticket=centre_applied(opened(office, clerk, service="bpjs"))
        )
        answer = public(client, ticket)
        assert "hubungi layanan bantuan BPJS" in answer["advice"] and "sudah benar" in answer["advice"]

    def test_a_service_without_a_portal_view_keeps_four_steps(self, client, office, clerk):
        ticket = services.mark_verified(ticket=pushed(opened(office, clerk, service="bansos")))
        answer = public(client, ticket)
        assert [step["label"] for step in answer["steps"]][-2:] == [
            "Menunggu sinkronisasi (maks. 1x24 jam)",
            "Selesai",
        ]
        assert ticket.status == Status.RESOLVED and "login" in answer["advice"]


def test_the_queue_filters_on_selesai_di_pusat_with_its_label(clerk_client, office, clerk):
    applied = centre_applied(opened(office, clerk))
    pushed(opened(office, clerk, nik=nik_with_serial(2)))
    response = clerk_client.get(reverse("tickets:queue"), {"status": Status.CENTRE_APPLIED})
    html = response.content.decode()
    assert [t.pk for t in response.context["page"]] == [applied.pk]
    assert '<option value="centre_applied" selected>Selesai di pusat</option>' in html
    assert 'text-bg-primary">Selesai di pusat</span>' in html


def test_the_escalation_desk_leaves_out_a_ticket_the_centre_already_shows(supervisor_client, office, clerk):
    waiting = pushed(opened(office, clerk))
    applied = centre_applied(opened(office, clerk, nik=nik_with_serial(2)))
    Ticket.objects.filter(pk__in=[waiting.pk, applied.pk]).update(due_at=timezone.now() - H)
    rows = supervisor_client.get(reverse("escalation:desk")).context["rows"]
    assert [row.ticket.pk for row in rows] == [waiting.pk]
