"""Issue 15 §2 and §6 in a real browser: what the intake checks as the clerk types (KK = NIK, the
NIK's birth date and sex filled in and re-checked, family member rows), and the citizen's page
(a NIK of the wrong length, the slip's QR link filling the code as printed)."""

import re

import pytest
import segno
from django.core.cache import cache
from playwright.sync_api import expect

from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tests.families.support import HUSBAND
from tickets import services

pytestmark = pytest.mark.e2e


def _leave(page, selector: str, url_end: str):
    """Leave a field (Tab) and wait for the check it asks the server for."""
    with page.expect_response(lambda r: r.url.endswith(url_end) and r.request.method == "POST") as answer:
        page.locator(selector).press("Tab")
    assert answer.value.ok
    return answer.value


def test_a_kk_number_equal_to_the_nik_is_refused_as_typed(page, live_server, log_in, clerk, shot):
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/baru/")
    page.locator("#id_nik").fill(NIK)
    _leave(page, "#id_nik", "/tiket/cek-nik/")
    page.locator("#id_kk_number").fill(f"{NIK[:6]} {NIK[6:12]} {NIK[12:]}")
    _leave(page, "#id_kk_number", "/tiket/cek-kk/")
    refusal = page.locator("#kk-info [role=alert]")
    expect(refusal).to_have_text("Nomor KK tidak boleh sama dengan NIK.")
    shot("01-kk-is-nik")

    page.locator("#id_kk_number").fill(KK_NEW)
    _leave(page, "#id_kk_number", "/tiket/cek-kk/")
    expect(page.locator("#kk-info")).to_be_empty()


def test_the_nik_fills_birth_date_and_sex_and_a_later_change_is_warned_and_recorded(
    page, live_server, log_in, clerk, shot
):
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/baru/")
    page.locator("#id_nik").fill(NIK)
    _leave(page, "#id_nik", "/tiket/cek-nik/")
    nik_info = page.locator("#nik-info")
    expect(page.locator("#id_birth_date")).to_have_value("1990-01-01")
    expect(page.locator("input[name=sex][value=P]")).to_be_checked()
    expect(nik_info).to_contain_text("Isian yang masih kosong diisi dari NIK")
    expect(nik_info).not_to_contain_text("⚠")
    shot("01-prefilled")

    # Fields changed after the NIK: the check runs again (before, it ran only on the NIK).
    # Playwright fills a date input by setting its value and firing `change` at once (no Tab
    # needed), so the check is awaited around the fill: waiting from the Tab raced its answer.
    with page.expect_response(lambda r: r.url.endswith("/tiket/cek-nik/")) as answer:
        page.locator("#id_birth_date").fill("1991-01-01")
    assert answer.value.ok
    expect(nik_info).to_contain_text("Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi.")
    expect(page.locator("#id_birth_date")).to_have_value("1991-01-01")  # never overwritten
    with page.expect_response(lambda r: r.url.endswith("/tiket/cek-nik/")):
        page.locator("input[name=sex][value=L]").check()
    expect(nik_info).to_contain_text("Jenis kelamin pada NIK berbeda dengan yang diisi.")
    expect(page.locator("input[name=sex][value=L]")).to_be_checked()
    shot("02-mismatch-warned")

    # Saved anyway (a NIK is never reissued after a correction): the timeline says so.
    page.locator("#id_full_name").fill("Siti Rahayu")
    page.locator("#id_kk_number").fill(KK_NEW)
    page.locator("#id_kk_number_old").fill(KK_OLD)
    page.locator("#id_category").select_option(value="new_kk")
    page.locator("#id_service").select_option(value="sscasn")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tiket/[A-Z2-9]{10}/$"))
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Data berbeda dengan NIK")
    expect(timeline).to_contain_text("Jenis kelamin pada NIK berbeda dengan yang diisi.")
    shot("03-timeline")


def test_a_birth_date_typed_before_the_nik_is_kept_and_checked(page, live_server, log_in, clerk):
    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/baru/")
    page.locator("#id_birth_date").fill("1990-02-01")
    page.locator("#id_nik").fill(NIK)
    _leave(page, "#id_nik", "/tiket/cek-nik/")
    expect(page.locator("#nik-info")).to_contain_text("Tanggal lahir pada NIK berbeda")
    expect(page.locator("#id_birth_date")).to_have_value("1990-02-01")
    expect(page.locator("input[name=sex][value=P]")).to_be_checked()  # the empty one is filled


def test_family_member_rows_check_the_nik_and_warn_about_a_relation_the_nik_contradicts(
    page, live_server, log_in, clerk, shot
):
    log_in("petugas")
    page.goto(f"{live_server.url}/keluarga/baru/")
    expect(page.locator("#required-note")).to_contain_text("Kolom bertanda * wajib diisi.")
    page.locator("#id_nik").fill(NIK)  # the applicant, a woman
    with page.expect_response(lambda r: r.url.endswith("/keluarga/cek-anggota/")):
        page.locator("#id_pemohon-relation").select_option(value="suami")
    applicant_check = page.locator("#div_id_pemohon-relation + [data-member-check]")
    expect(applicant_check).to_have_text("⚠ Hubungan Suami tidak cocok dengan jenis kelamin Perempuan.")

    first = page.locator("[data-member-row]").nth(0)
    check = first.locator("[data-member-check]")

    first.locator("[name$='-nik']").fill(NIK[:15])
    _leave(page, "#id_anggota-0-nik", "/keluarga/cek-anggota/")
    expect(check).to_have_text("NIK harus terdiri dari 16 digit angka.")

    first.locator("[name$='-nik']").fill(NIK)  # a woman's NIK
    _leave(page, "#id_anggota-0-nik", "/keluarga/cek-anggota/")
    expect(check).to_be_empty()
    with page.expect_response(lambda r: r.url.endswith("/keluarga/cek-anggota/")):
        first.locator("[name$='-relation']").select_option(value="suami")
    expect(check).to_contain_text("Hubungan Suami tidak cocok dengan jenis kelamin Perempuan.")
    shot("01-husband-for-a-woman")

    # A row added by families.js is checked too.
    page.get_by_role("button", name="Tambah anggota").click()
    added = page.locator("[data-member-row]").nth(2)
    added.locator("[name$='-nik']").fill(HUSBAND["nik"])
    with page.expect_response(lambda r: r.url.endswith("/keluarga/cek-anggota/")):
        added.locator("[name$='-relation']").select_option(value="istri")
    expect(added.locator("[data-member-check]")).to_contain_text(
        "Hubungan Istri tidak cocok dengan jenis kelamin Laki-laki."
    )
    expect(check).to_contain_text("Hubungan Suami")  # the other row's answer stays in its row
    shot("02-added-row")


def test_a_citizen_is_told_a_nik_of_the_wrong_length(browser, live_server, office, clerk):
    cache.clear()
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/cek-status/")
        page.locator("#id_nik").fill(NIK[:15])
        page.locator("#id_kode").fill(ticket.display_code)
        page.get_by_role("button", name="Cek Status").click()
        expect(page.locator("#id_nik")).to_have_class(re.compile(r"\bis-invalid\b"))
        expect(page.locator("#div_id_nik .invalid-feedback")).to_have_text(
            "NIK harus terdiri dari 16 digit angka."
        )
        expect(page.locator("#status-answer")).to_have_count(0)
        expect(page.locator("#id_kode")).to_have_value(ticket.display_code)
    finally:
        context.close()


def test_the_slips_qr_link_fills_the_code_with_its_dash_and_finds_the_ticket(
    page, live_server, log_in, office, clerk, settings, shot
):
    cache.clear()
    settings.PUBLIC_BASE_URL = live_server.url
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    log_in("petugas")
    slip_url = f"{live_server.url}/tiket/{ticket.code}/tanda-terima/"
    page.goto(slip_url)
    printed_code = page.locator("#slip-code").inner_text().strip()
    status_url = page.locator(".slip .font-monospace").inner_text().strip()
    assert printed_code == ticket.display_code and status_url.endswith(f"?kode={printed_code}")
    # The QR on the slip encodes exactly that printed link.
    raw_slip = page.request.get(slip_url).text()
    assert segno.make(status_url, error="m").svg_inline(scale=4) in raw_slip

    page.goto(status_url)  # what the phone opens after scanning
    expect(page.locator("#id_kode")).to_have_value(printed_code)
    page.locator("#id_nik").fill(NIK)
    page.get_by_role("button", name="Cek Status").click()
    expect(page.locator("#status-answer")).to_contain_text("S**i R****u")
    shot("01-status-from-qr")
