"""The counter clerk's day in a real browser: intake with field errors, the NIK hint, the queue,
the search by NIK and the printed slip; and what the clerk's role does not offer."""

import re

import pytest
from playwright.sync_api import expect

from tests.cast import KK_NEW, KK_OLD, NIK, complaint, nik_with_serial
from tickets import services

pytestmark = pytest.mark.e2e

MASKED_NIK = "*" * 12 + NIK[-4:]
NIK_15_DIGITS = NIK[:15]
NIK_IMPOSSIBLE_BIRTH_DATE = NIK[:6] + "4113" + NIK[10:]  # women's day 41 = 1st, month 13
NAME = "Siti Rahayu"
OTHER_NAME = "Dewi Lestari"
FORCED_TEXT = "Dicoba dari loket"


def _fill_complaint(page, nik: str) -> None:
    """Type a whole complaint the way a clerk does, NIK first."""
    page.locator("#id_nik").fill(nik)
    page.locator("#id_full_name").fill(NAME)
    page.locator("#id_birth_date").fill("1990-01-01")
    page.locator("input[name=sex][value=P]").check()
    page.locator("#id_phone").fill("081234567890")
    page.locator("#id_kk_number").fill(KK_NEW)
    page.locator("#id_kk_number_old").fill(KK_OLD)
    page.locator("#id_category").select_option(label="KK baru belum terkonsolidasi")
    page.locator("#id_service").select_option(label="SSCASN/CPNS")
    page.locator("#id_description").fill("KK baru setelah menikah; SSCASN menolak.")


def _submit(page) -> None:
    with page.expect_response(lambda r: r.url.endswith("/tiket/baru/") and r.request.method == "POST"):
        page.get_by_role("button", name="Simpan", exact=True).click()
    page.wait_for_load_state()


def _expect_nik_error_and_everything_else_kept(page, message: str) -> None:
    expect(page.get_by_role("alert").filter(has_text="Periksa kembali isian")).to_be_visible()
    expect(page.locator("#id_nik")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_nik .invalid-feedback")).to_have_text(message)
    expect(page.locator("#div_id_nik .invalid-feedback")).to_be_visible()
    expect(page.locator("#id_full_name")).to_have_value(NAME)
    expect(page.locator("#id_kk_number")).to_have_value(KK_NEW)
    expect(page.locator("#id_kk_number_old")).to_have_value(KK_OLD)
    expect(page.locator("#id_birth_date")).to_have_value("1990-01-01")
    expect(page.locator("input[name=sex][value=P]")).to_be_checked()
    expect(page.locator("#id_category")).to_have_value("new_kk")
    expect(page.locator("#id_service")).to_have_value("sscasn")
    for other in ("full_name", "kk_number", "kk_number_old", "birth_date"):
        expect(page.locator(f"#id_{other}")).not_to_have_class(re.compile(r"\bis-invalid\b"))


def test_clerk_files_a_complaint_fixes_the_nik_finds_it_in_the_queue_and_prints_the_slip(
    page, live_server, log_in, shot, clerk, office
):
    # Another citizen's complaint, so the queue and the NIK search have something to tell apart.
    services.open_ticket(
        office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(2), full_name=OTHER_NAME)
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    log_in("petugas")
    page.get_by_role("link", name="Buat Pengaduan").first.click()
    expect(page.get_by_role("heading", name="Buat Pengaduan")).to_be_visible()

    # 1. Fifteen digits: refused beside the NIK field, nothing else lost.
    _fill_complaint(page, NIK_15_DIGITS)
    _submit(page)
    _expect_nik_error_and_everything_else_kept(page, "NIK harus terdiri dari 16 digit angka.")
    shot("01-nik-15-digits")

    # 2. Sixteen digits but a birth date no calendar has (month 13).
    page.locator("#id_nik").fill(NIK_IMPOSSIBLE_BIRTH_DATE)
    _submit(page)
    _expect_nik_error_and_everything_else_kept(page, "Tanggal lahir pada NIK tidak valid.")
    shot("02-nik-impossible-birth-date")

    # 3. The right NIK: leaving the field asks the server (POST) what the NIK says.
    nik_field = page.locator("#id_nik")
    nik_field.fill(NIK)
    with page.expect_response(lambda r: r.url.endswith("/tiket/cek-nik/")) as checked:
        nik_field.press("Tab")
    assert checked.value.request.method == "POST"
    assert checked.value.ok
    nik_info = page.locator("#nik-info")
    expect(nik_info).to_contain_text("Kaliwungu, Kabupaten Kudus")
    expect(nik_info).to_contain_text("Perempuan")
    expect(nik_info).to_contain_text("01/01/..90")
    expect(nik_info).not_to_contain_text("⚠")  # typed birth date and sex agree with the NIK
    shot("03-nik-info")

    _submit(page)
    expect(page).to_have_url(re.compile(r"/tiket/[A-Z2-9]{10}/$"))
    code = page.locator("h1").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code), code
    saved = page.get_by_role("alert").filter(has_text=f"Pengaduan tersimpan dengan kode {code}.")
    expect(saved).to_be_visible()
    expect(page.locator(".status-badge").first).to_have_text("Baru")
    expect(page.locator("#timeline")).to_contain_text("Pengaduan dibuat")
    expect(page.locator("#nik-cell")).to_contain_text(MASKED_NIK)
    assert NIK not in page.content()
    shot("04-detail")

    # 4. The queue shows it with the NIK masked, and never the full NIK.
    page.get_by_role("link", name="Antrian").click()
    expect(page.get_by_role("heading", name="Antrian pengaduan")).to_be_visible()
    rows = page.locator("#queue-table tbody tr")
    expect(rows).to_have_count(2)
    ours = rows.filter(has_text=code)
    expect(ours).to_have_count(1)
    expect(ours.locator("td.nik")).to_have_text(MASKED_NIK)
    expect(ours).to_contain_text("Baru")
    assert NIK not in page.content()
    shot("05-queue")

    # 5. Search by the full NIK (a POST form): only this citizen's ticket.
    page.locator("#id_q").fill(NIK)
    with page.expect_request(lambda r: r.url.endswith("/tiket/") and r.method == "POST"):
        page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Hapus pencarian")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(code)
    expect(rows.first).not_to_contain_text(OTHER_NAME)
    shot("06-search-by-nik")

    # 6. Open it and print the slip.
    rows.first.get_by_role("link", name=code).click()
    expect(page.locator("h1")).to_have_text(code)
    page.get_by_role("link", name="Cetak Tanda Terima").click()
    expect(page).to_have_url(re.compile(r"/tiket/[A-Z2-9]{10}/tanda-terima/$"))
    slip = page.locator(".slip")
    expect(slip.locator("#slip-code")).to_have_text(code)
    expect(slip.locator(".nik")).to_have_text(MASKED_NIK)
    expect(slip.locator(".qr > svg")).to_have_count(1)
    expect(slip.locator(".qr svg path").first).to_be_attached()
    expect(slip).to_contain_text("1x24 jam")
    assert NIK not in page.content()
    shot("07-slip")

    leaked = [url for url in requested if NIK in url]
    assert requested and not leaked, leaked


def test_counter_staff_are_not_offered_and_cannot_force_closing_a_ticket(
    page, live_server, log_in, clerk, office
):
    ticket = services.open_ticket(office=office, created_by=clerk, complaint=complaint())

    log_in("petugas")
    page.goto(f"{live_server.url}/tiket/{ticket.code}/")
    expect(page.get_by_role("button", name="Tolak (perlu dokumen)")).to_be_visible()  # the form is there
    for supervisor_only in ("Tutup", "Eskalasi", "Alihkan"):
        expect(page.get_by_role("button", name=supervisor_only, exact=True)).to_have_count(0)

    # Posting the action anyway, with the page's own CSRF token, is refused by the server; the
    # same request to an action the clerk does have goes through (so the 403 is the role check).
    assert _post_action(page, f"{live_server.url}/tiket/{ticket.code}/aksi/note/", "text") == 200
    assert _post_action(page, f"{live_server.url}/tiket/{ticket.code}/aksi/close/", "reason") == 403
    page.reload()
    expect(page.locator("#timeline")).to_contain_text(FORCED_TEXT)
    expect(page.locator(".status-badge").first).to_have_text("Baru")


def _post_action(page, url: str, field: str) -> int:
    return page.evaluate(
        """async ([url, field, text]) => {
        const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
        const response = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token},
                                           body: new URLSearchParams({[field]: text})});
        return response.status;
    }""",
        [url, field, FORCED_TEXT],
    )
