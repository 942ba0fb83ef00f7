"""A supervisor watches the dashboard, escalates an overdue ticket and finds it on the timeline."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.cast import complaint
from tickets import services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.e2e


def test_a_supervisor_sees_the_charts_escalates_an_overdue_ticket_and_sees_it_on_the_timeline(
    page, live_server, log_in, office, supervisor, clerk, shot
):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    sent_at = timezone.now() - dt.timedelta(hours=30)
    ticket = services.mark_pushed(
        ticket=ticket, accepted_at=sent_at, sla_due_at=sent_at + dt.timedelta(hours=24)
    )
    # Saved at the counter 30 h ago: past the 1x24 jam promised there.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=sent_at, due_at=sent_at + dt.timedelta(hours=24))
    log_in("supervisor")

    page.goto(f"{live_server.url}/dasbor/")
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length >= 6")
    shot("01-dashboard")

    page.goto(f"{live_server.url}/eskalasi/")
    card = page.locator(f"form[action='/eskalasi/{ticket.code}/sudah/']")
    expect(card).to_be_visible()
    card.locator("select[name=channel]").select_option(index=0)
    card.locator("input[name=note]").fill("Dikirim ke kontak pusat lewat WhatsApp")
    card.get_by_role("button", name="Sudah dieskalasi").click()
    shot("02-escalated")

    page.goto(f"{live_server.url}/tiket/{ticket.code}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Eskalasi ke pusat")
    expect(timeline).to_contain_text("Bambang")
    assert Ticket.objects.get(pk=ticket.pk).status == "escalated"
    assert TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEvent.Kind.ESCALATION, actor=supervisor
    ).exists()
