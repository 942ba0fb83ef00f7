"""Round two, finding 2: a 151 KB XLSX holding one 150 MB cell was accepted and took the worker
from 113 to 413 MB (the 50 MB limit applied to the packed file). Now the zip's declared unpacked
sizes and ratios are checked before anything unpacks it, at the upload form and again in the
worker, and a run that reads the file too long fails the batch with a message."""

import tracemalloc
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from families import importfile, services
from families.importfile import ImportFileError, check_xlsx_archive, open_records
from families.models import ImportBatch
from tests.families.support import HEADER, family_kk, person_nik, row

CELL_MB = 20  # enough to be far over any real cell, small enough to build in a second


def real_xlsx(path, rows=1):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for index in range(rows):
        sheet.write_row(index + 1, 0, row(family_kk(index), person_nik(index)))
    workbook.close()
    return path


def bomb(path, *, cell_mb=CELL_MB, part="xl/worksheets/sheet1.xml"):
    """A real XLSX whose first sheet (or shared strings) gains one huge, very compressible cell."""
    source = real_xlsx(path.with_name("source.xlsx"))
    huge = "A" * (cell_mb * 2**20)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == part:
                text = data.decode()
                if part.endswith("sheet1.xml"):
                    cell = f'<row r="3"><c r="A3" t="inlineStr"><is><t>{huge}</t></is></c></row>'
                    text = text.replace("</sheetData>", cell + "</sheetData>")
                else:
                    text = text.replace("</sst>", f"<si><t>{huge}</t></si></sst>")
                data = text.encode()
            out.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path


def test_the_bomb_is_small_packed_and_huge_unpacked(tmp_path):
    path = bomb(tmp_path / "bom.xlsx")
    assert path.stat().st_size < 100 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) > CELL_MB * 2**20


def test_a_highly_compressed_part_is_refused_before_it_is_unpacked(tmp_path):
    path = bomb(tmp_path / "bom.xlsx")
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="memadat lebih dari 100 kali"):
            with open_records(path, "xlsx") as records:
                list(records)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20, f"{peak / 2**20:.1f} MB allocated: the part was unpacked"


def test_parts_over_the_unpacked_limit_are_refused_whatever_their_ratio(tmp_path, settings):
    settings.FAMILY_IMPORT_XLSX_MAX_UNPACKED_BYTES = 4096
    with pytest.raises(ImportFileError, match="terlalu besar setelah dibuka"):
        check_xlsx_archive(real_xlsx(tmp_path / "a.xlsx", rows=200))


def test_shared_strings_over_their_own_limit_are_refused(tmp_path, settings):
    settings.FAMILY_IMPORT_XLSX_MAX_RATIO = 10**6  # only the shared-strings limit is left to catch it
    settings.FAMILY_IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES = 2**20
    with pytest.raises(ImportFileError, match="terlalu besar setelah dibuka"):
        check_xlsx_archive(bomb(tmp_path / "bom.xlsx", cell_mb=2, part="xl/sharedStrings.xml"))


def test_a_real_spreadsheet_passes_the_checks_and_is_read(tmp_path):
    path = real_xlsx(tmp_path / "a.xlsx", rows=500)
    check_xlsx_archive(path)
    with open_records(path, "xlsx") as records:
        assert len(list(records)) == 501


def test_a_file_that_is_no_zip_gets_the_unreadable_message(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError, match="XLSX tidak dapat dibaca"):
        check_xlsx_archive(path)


def test_reading_past_the_time_limit_stops_with_a_message(tmp_path, monkeypatch):
    path = real_xlsx(tmp_path / "a.xlsx", rows=50)
    clock = iter(range(0, 10_000, 10))  # every look at the clock: ten seconds later
    monkeypatch.setattr(importfile.time, "monotonic", lambda: next(clock))
    with pytest.raises(ImportFileError, match="melewati 30 detik"):
        with open_records(path, "xlsx", time_limit=30) as records:
            list(records)


@pytest.mark.django_db
def test_the_upload_form_refuses_the_bomb_beside_the_field(supervisor_client, tmp_path):
    path = bomb(tmp_path / "bom.xlsx")
    upload = SimpleUploadedFile("kk-baru.xlsx", path.read_bytes())
    response = supervisor_client.post(reverse("families:import_upload"), {"file": upload})
    assert response.status_code == 400
    assert "memadat lebih dari 100 kali" in response.context["form"].errors["file"][0]
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_stored_bomb_fails_its_batch_in_the_worker_with_the_message(supervisor, tmp_path, settings):
    from families.services import import_dir

    settings.VAR_DIR = tmp_path
    bomb(import_dir() / "bom.xlsx")
    batch = ImportBatch.objects.create(
        office=supervisor.staff_profile.office,
        uploaded_by=supervisor,
        file_name="kk-baru.xlsx",
        stored_name="bom.xlsx",
        file_sha256="0" * 64,
        file_format="xlsx",
        status=ImportBatch.Status.VALIDATING,
    )
    assert services.validate_batch(batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "memadat" in batch.failure_message
