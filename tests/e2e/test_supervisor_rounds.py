"""The rest of a supervisor's rounds in Chromium: a subject-access correction, the escalation
desk's copy button, and the report downloads."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citizens.models import Citizen, DataCorrection, PersonalDataAccess
from tests.cast import NIK, complaint
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.e2e


@pytest.fixture
def overdue_ticket(office, clerk):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    sent_at = timezone.now() - dt.timedelta(hours=30)
    ticket = services.mark_pushed(
        ticket=ticket, accepted_at=sent_at, sla_due_at=sent_at + dt.timedelta(hours=24)
    )
    # Saved at the counter 30 h ago: past the 1x24 jam promised there.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=sent_at, due_at=sent_at + dt.timedelta(hours=24))
    ticket.refresh_from_db()
    return ticket


def test_a_supervisor_corrects_a_name_on_the_prefilled_subject_form_and_it_saves(
    page, live_server, log_in, supervisor, overdue_ticket, shot
):
    log_in("supervisor")
    page.goto(f"{live_server.url}/subjek/")
    page.get_by_label("NIK").fill(NIK)
    page.get_by_role("button", name="Cari").click()
    expect(page.get_by_label("Tanggal Lahir")).to_have_value("1990-01-01")
    page.get_by_label("Nama Lengkap").fill("Siti Rahayu Ningsih")
    page.get_by_label("Alasan koreksi").fill("Sesuai akta kelahiran.")
    page.get_by_role("button", name="Simpan koreksi").click()
    expect(page.locator(".alert-success")).to_contain_text("Koreksi disimpan: Nama Lengkap.")
    shot("01-corrected")
    assert Citizen.objects.get().full_name == "Siti Rahayu Ningsih"
    assert DataCorrection.objects.get().fields == ["full_name"]
    expect(page.locator("body")).not_to_contain_text("+00:00")


def test_salin_pesan_copies_the_full_message_only_after_it_is_shown_and_says_so(
    page, live_server, log_in, supervisor, overdue_ticket, shot
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in("supervisor")
    page.goto(f"{live_server.url}/eskalasi/")
    card = page.locator(f"#row-{overdue_ticket.code}")
    copy = card.get_by_role("button", name="Salin pesan")
    expect(copy).to_be_disabled()
    expect(card.locator(f"#msg-{overdue_ticket.code}")).not_to_contain_text(NIK)
    assert not PersonalDataAccess.objects.exists()

    card.get_by_role("button", name="Tampilkan pesan lengkap").click()
    expect(card.locator(f"#msg-{overdue_ticket.code}")).to_contain_text(NIK)
    expect(copy).to_be_enabled()
    copy.click()
    expect(card.get_by_role("status")).to_have_text("Pesan disalin")
    shot("01-copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"#{NIK}#Siti_Rahayu#") and overdue_ticket.display_code in copied
    assert PersonalDataAccess.objects.filter(purpose=f"eskalasi {overdue_ticket.code}").count() == 1


def test_the_open_by_status_chart_reads_in_whole_tickets_with_one_ticket(
    page, live_server, log_in, supervisor, overdue_ticket, shot
):
    log_in("supervisor")
    page.goto(f"{live_server.url}/dasbor/")
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length >= 6")
    shot("01-dashboard")
    chart = page.evaluate(
        """() => { const c = Chart.getChart("chart-history");
                   return { type: c.config.type, ticks: c.scales.y.ticks.map(t => t.value), min: c.scales.y.min }; }"""
    )
    assert chart["type"] == "bar" and chart["min"] == 0
    assert chart["ticks"] and all(value == int(value) for value in chart["ticks"])
    assert max(chart["ticks"]) >= 1


def test_a_report_downloads_before_terapkan_with_the_filter_as_shown_and_is_audited(
    page, live_server, log_in, supervisor, overdue_ticket, shot
):
    from audit.models import AuditEntry

    log_in("supervisor")
    page.goto(f"{live_server.url}/laporan/")
    download_form = page.locator("#report-download")
    expect(download_form.get_by_role("button", name="Unduh XLSX")).to_be_visible()
    page.get_by_label("Status").select_option("sent")
    shot("01-report-before-terapkan")
    with page.expect_download() as download:
        download_form.get_by_role("button", name="Unduh CSV (Excel Indonesia, ;)").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith("\ufeffKode Tiket;Tanggal Masuk;")
    assert overdue_ticket.display_code in text and NIK not in text and NIK[-4:] in text
    entry = AuditEntry.objects.get(action="export")
    assert entry.details["filter"]["status"] == "sent" and entry.details["nik"] == "disamarkan"
    assert entry.details["rows"] == 1
