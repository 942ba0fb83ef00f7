"""The family page in a real browser: families.js adds rows and known members; the group page polls."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from families.models import FamilyGroup, FamilyMember
from tests.cast import KK_NEW, NIK, complaint, make_staff
from tests.families.support import DAUGHTER, HUSBAND
from tickets import services
from tickets.models import Office, Ticket
from tickets.permissions import COUNTER_GROUP

pytestmark = pytest.mark.e2e


@pytest.fixture
def counter(transactional_db):
    office = Office.objects.create(code="3319", name="Disdukcapil Kabupaten Kudus", region_code="33.19")
    clerk = make_staff("petugas", office, COUNTER_GROUP, first_name="Sri")
    husband = services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=HUSBAND["nik"],
            full_name="Budi Santoso",
            birth_date=dt.date(1988, 1, 1),
            sex="L",
            category="kk_mismatch",
        ),
    )
    return office, clerk, husband


def test_a_clerk_files_a_family_with_a_known_member_and_a_typed_one(page, live_server, log_in, counter, shot):
    _office, _clerk, husband = counter
    log_in("petugas")
    page.goto(f"{live_server.url}/keluarga/baru/")
    page.locator("#id_nik").fill(NIK)
    page.locator("#id_full_name").fill("Siti Rahayu")
    page.locator("#id_birth_date").fill("1990-01-01")
    page.locator("input[name=sex][value=P]").check()
    page.locator("#id_kk_number").fill(KK_NEW)
    page.locator("#id_category").select_option(value="new_kk")
    page.locator("#id_service").select_option(value="sscasn")
    page.locator("#id_pemohon-relation").select_option(value="istri")

    page.get_by_role("button", name="Cari anggota yang sudah tercatat").click()
    known = page.locator("#known-list li")
    expect(known).to_have_count(1)
    expect(known).to_contain_text("Budi Santoso")
    expect(known).to_contain_text("************0001")
    assert HUSBAND["nik"] not in page.content()
    known.get_by_role("button", name="Tambahkan").click()
    expect(known.get_by_role("button")).to_be_disabled()
    first = page.locator("[data-member-row]").nth(0)
    expect(first.locator("[data-member-known] input")).to_have_value("************0001")
    expect(first.locator("[name$='-full_name']")).to_have_value("Budi Santoso")
    first.locator("[name$='-relation']").select_option(value="kepala")

    page.get_by_role("button", name="Tambah anggota").click()
    rows = page.locator("[data-member-row]")
    expect(rows).to_have_count(3)  # two blank rows to start with, one known member filled the first
    third = rows.nth(2)
    third.locator("[name$='-nik']").fill(DAUGHTER["nik"])
    third.locator("[name$='-full_name']").fill(DAUGHTER["full_name"])
    third.locator("[name$='-birth_date']").fill(DAUGHTER["birth_date"])
    third.locator("[name$='-sex']").select_option(value="P")
    third.locator("[name$='-relation']").select_option(value="anak")
    shot("01-family-form")
    page.get_by_role("button", name="Simpan", exact=True).click()

    expect(page.locator("#family-progress-text")).to_have_text("0 dari 3 anggota sudah sinkron")
    shot("02-group")
    group = FamilyGroup.objects.get()
    assert FamilyMember.objects.get(group=group, ticket=husband).linked
    assert Ticket.objects.count() == 3
    page.get_by_role("link", name="Cetak Tanda Terima").click()
    expect(page.locator("#slip-members tbody tr")).to_have_count(3)
    shot("03-slip")


def test_a_supervisor_uploads_sees_the_preview_appear_and_confirms(
    page, live_server, log_in, transactional_db, tmp_path, settings, shot
):
    from families import tasks
    from families.models import ImportBatch
    from tests.families.support import family_kk, person_nik, row, write_csv
    from tickets.permissions import SUPERVISOR_GROUP

    settings.VAR_DIR = tmp_path / "var"
    settings.FAMILY_IMPORT_TASK_SECONDS = None
    office = Office.objects.create(code="3319", name="Disdukcapil Kabupaten Kudus", region_code="33.19")
    make_staff("supervisor", office, SUPERVISOR_GROUP)
    path = write_csv(
        tmp_path / "kk-maret.csv",
        [
            row(family_kk(0), person_nik(0), "AGUS", relation="Kepala Keluarga"),
            row(family_kk(0), person_nik(1), "ADI"),
            row(family_kk(0), "3319014101900000", "SALAH"),
            row(family_kk(0), person_nik(1), "ADI LAGI"),
        ],
    )
    log_in("supervisor")
    page.goto(f"{live_server.url}/keluarga/impor/")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#import-progress")).to_contain_text("baris sudah diperiksa")
    shot("01-validating")

    tasks.validate_import(ImportBatch.objects.get().pk)  # what the worker would do
    expect(page.locator("#count-valid")).to_have_text("2", timeout=10_000)  # the poll reloads the page
    expect(page.locator("#problem-rows")).to_contain_text("Nomor urut NIK tidak boleh 0000.")
    expect(page.locator("#problem-rows")).to_contain_text("NIK sama dengan baris 3.")
    shot("02-preview")
    page.get_by_role("button", name="Konfirmasi impor").click()
    expect(page.locator("#import-progress")).to_contain_text("Membuat tiket: 0 dari 2 baris")
    tasks.run_import(ImportBatch.objects.get().pk)
    expect(page.locator("#count-tickets")).to_have_text("2 / 0", timeout=10_000)
    shot("03-done")
