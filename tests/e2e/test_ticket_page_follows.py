"""The ticket page stays true: when the sync panel sees the ticket move on, the header badge,
timeline and actions follow without a reload, and what the clerk is typing stays (issue 15 §3)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from playwright.sync_api import expect

from sync.models import SyncJob
from tests.cast import complaint
from tickets import services
from tickets.texts import EventText

pytestmark = pytest.mark.e2e

NOTE = "Pemohon akan kembali membawa KK asli"
REASON = "Pemohon sudah dihubungi"


def accepted_ticket(office, clerk):
    """A ticket the centre accepted; its next check is far away, so only the test moves it."""
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    now = timezone.now()
    ticket = services.mark_pushed(ticket=ticket, accepted_at=now, sla_due_at=now + dt.timedelta(hours=24))
    SyncJob.objects.filter(ticket=ticket).update(
        state=SyncJob.State.ACCEPTED, update_id="u-1", next_attempt_at=now + dt.timedelta(hours=1)
    )
    return ticket


@transaction.atomic
def verify(ticket):
    """What the check task does on a match: job and ticket in one transaction, as sync.services does
    (a panel polling in between would otherwise see a finished job beside an unresolved ticket)."""
    SyncJob.objects.filter(ticket=ticket).update(state=SyncJob.State.VERIFIED, verified_at=timezone.now())
    services.mark_verified(ticket=ticket)


def test_the_page_follows_the_panel_to_resolved_without_losing_typed_text(
    page, live_server, log_in, office, clerk, shot
):
    ticket = accepted_ticket(office, clerk)
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/{ticket.code}/")
    expect(page.locator("#ticket-status")).to_contain_text("Dikirim ke pusat")
    expect(page.locator("#sync-panel")).to_contain_text("Diterima pusat")
    page.evaluate("window.sinkronNoReload = true")
    page.locator("#id_text").fill(NOTE)
    page.locator("#id_reason").fill(REASON)
    page.locator("#id_reason").focus()
    shot("01-sent-typing")

    services.escalate_ticket(
        ticket=ticket,
        actor=None,
        reason=EventText(
            gettext_noop("Melewati SLA 1x24 jam; data belum berubah di pusat. Hubungi petugas pusat.")
        ),
    )
    expect(page.locator("#ticket-status")).to_contain_text("Eskalasi")
    expect(page.locator("#timeline")).to_contain_text("Melewati SLA 1x24 jam")
    expect(page.locator("#id_reason")).to_have_value(REASON)
    expect(page.locator("#id_reason")).to_be_focused()
    expect(page.get_by_role("button", name="Tandai Selesai")).to_be_visible()
    shot("02-escalated")

    verify(ticket)
    expect(page.locator("#ticket-status")).to_contain_text("Selesai")
    expect(page.locator("#timeline")).to_contain_text("Data di pusat sudah sesuai. Pengaduan selesai.")
    expect(page.get_by_role("button", name="Tandai Selesai")).to_have_count(0)
    expect(page.get_by_role("button", name="Tolak (perlu dokumen)")).to_have_count(0)
    expect(page.locator("#ticket-facts")).to_contain_text("Tanggal Selesai")
    expect(page.locator("#sync-panel")).to_contain_text("Terverifikasi")
    expect(page.locator("#id_text")).to_have_value(NOTE)
    assert page.evaluate("window.sinkronNoReload") is True
    shot("03-resolved")


def test_a_reason_the_resolved_ticket_has_no_use_for_moves_to_the_note_field(
    page, live_server, log_in, office, clerk
):
    ticket = accepted_ticket(office, clerk)
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/{ticket.code}/")
    page.locator("#id_reason").fill(REASON)

    verify(ticket)
    expect(page.locator("#ticket-status")).to_contain_text("Selesai")
    expect(page.locator("#id_reason")).to_have_count(0)
    expect(page.locator("#id_text")).to_have_value(REASON)
