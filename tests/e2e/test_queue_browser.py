"""Counter work on the queue in Chromium: search by name, select all and re-check, the keyboard,
the self-refresh that keeps its filters, and the alert badge."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from sync.models import SyncJob
from tests.cast import complaint, nik_with_serial
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.e2e


def open_named(office, creator, names, start=1, **overrides):
    return [
        services.open_ticket(
            office=office,
            created_by=creator,
            complaint=complaint(nik=nik_with_serial(n), full_name=name, **overrides),
        )
        for n, name in enumerate(names, start=start)
    ]


def test_a_clerk_finds_a_ticket_by_name_and_the_box_keeps_what_was_typed(
    page, live_server, log_in, office, clerk
):
    siti, budi = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso"])
    log_in("petugas")
    page.locator("#id_q").fill("rahayu")
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(page.locator("#queue-table")).to_contain_text(siti.display_code)
    expect(page.locator("#queue-table")).not_to_contain_text(budi.display_code)
    expect(page.locator("#id_q")).to_have_value("rahayu")
    assert "rahayu" not in page.url


def test_select_all_then_re_check_reports_what_was_done_and_skipped(page, live_server, log_in, office, clerk):
    cache.clear()
    accepted, waiting = open_named(office, clerk, ["Siti Rahayu", "Budi Santoso"])
    SyncJob.objects.filter(ticket=accepted).update(state=SyncJob.State.ACCEPTED)
    log_in("petugas")
    page.get_by_label("Pilih semua tiket di halaman ini").check()
    expect(page.get_by_label(f"Pilih tiket {waiting.display_code}")).to_be_checked()
    page.get_by_label("Tindakan untuk tiket terpilih").select_option("check")
    page.get_by_role("button", name="Terapkan ke tiket terpilih").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"1 tiket diproses: {accepted.display_code}")
    expect(page.locator("main")).to_contain_text("1 tiket dilewati: Tiket ini belum diterima pusat")


def test_alt_shift_c_focuses_the_search_and_alt_shift_j_then_enter_opens_the_first_ticket(
    page, live_server, log_in, office, clerk
):
    (newest,) = open_named(office, clerk, ["Siti Rahayu"])
    log_in("petugas")
    page.keyboard.press("j")  # a single letter is left to the screen reader: nothing moves
    page.keyboard.press("/")
    expect(page.locator("#id_q")).not_to_be_focused()
    page.keyboard.press("Alt+Shift+KeyC")
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type("j")  # typed into the box, not a shortcut
    expect(page.locator("#id_q")).to_have_value("j")
    page.locator("#id_q").blur()
    page.keyboard.press("Alt+Shift+KeyJ")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/tiket/{newest.code}/")


def test_the_queue_refreshes_itself_keeping_its_filters(page, live_server, log_in, office, clerk, settings):
    settings.QUEUE_REFRESH_SECONDS = 1
    open_named(office, clerk, ["Siti Rahayu"], service="bpjs")
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/?service=bpjs")
    open_named(office, clerk, ["Budi Santoso"], start=2, service="bpjs")
    open_named(office, clerk, ["Ani Lestari"], start=3, service="bank")
    expect(page.locator("#queue-table")).to_contain_text("Budi Santoso")
    expect(page.locator("#queue-table")).not_to_contain_text("Ani Lestari")
    expect(page.locator("#id_service")).to_have_value("bpjs")


def test_a_ticked_checkbox_pauses_the_refresh(page, live_server, log_in, office, clerk, settings):
    settings.QUEUE_REFRESH_SECONDS = 1
    (first,) = open_named(office, clerk, ["Siti Rahayu"])
    log_in("petugas")
    page.get_by_label(f"Pilih tiket {first.display_code}").check()
    open_named(office, clerk, ["Budi Santoso"], start=2)
    page.wait_for_timeout(2500)
    expect(page.locator("#queue-table")).not_to_contain_text("Budi Santoso")
    expect(page.get_by_label(f"Pilih tiket {first.display_code}")).to_be_checked()


def test_the_alert_badge_shows_a_ticket_given_to_me_and_clears_when_read(
    page, live_server, log_in, office, clerk, supervisor
):
    (ticket,) = open_named(office, supervisor, ["Siti Rahayu"])
    services.assign_ticket(ticket=Ticket.objects.get(pk=ticket.pk), actor=supervisor, assignee=clerk)
    log_in("petugas")
    expect(page.locator("#alert-badge")).to_have_text("1 belum dibaca")
    page.locator("#nav-alerts").click()
    expect(page.locator("#alerts")).to_contain_text(ticket.display_code)
    page.get_by_role("button", name="Tandai semua sudah dibaca").click()
    expect(page.locator("#alert-badge")).to_have_count(0)
