import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from families import tasks
from families.models import ImportBatch
from tests.cast import make_staff
from tests.families.support import family_kk, person_nik, row, upload_of, write_csv
from tickets.models import Category, Ticket
from tickets.permissions import SUPERVISOR_GROUP

pytestmark = pytest.mark.django_db
UPLOAD = reverse("families:import_upload")


@pytest.fixture
def csv_file(tmp_path):
    return write_csv(
        tmp_path / "kk-baru.csv",
        [
            row(family_kk(0), person_nik(0), "AGUS", relation="Kepala Keluarga"),
            row(family_kk(0), person_nik(1), "BUDI"),
            row(family_kk(0), "3319014101900000", "SALAH"),
            row(family_kk(0), person_nik(0), "AGUS LAGI"),
        ],
    )


def test_counter_staff_cannot_import(clerk_client, csv_file, office, supervisor):
    assert clerk_client.get(UPLOAD).status_code == 403
    assert clerk_client.post(UPLOAD, {"file": upload_of(csv_file)}).status_code == 403
    assert not ImportBatch.objects.exists()
    batch = ImportBatch.objects.create(
        office=office,
        uploaded_by=supervisor,
        file_name="x.csv",
        file_sha256="0" * 64,
        file_format="csv",
        status=ImportBatch.Status.PREVIEWED,
        valid_count=1,
    )
    for name in ("import_batch", "import_progress"):
        assert clerk_client.get(reverse(f"families:{name}", args=[batch.pk])).status_code == 403
    assert clerk_client.post(reverse("families:import_confirm", args=[batch.pk])).status_code == 403
    assert reload_status(batch) == ImportBatch.Status.PREVIEWED


def reload_status(batch):
    return ImportBatch.objects.get(pk=batch.pk).status


def test_an_upload_is_stored_and_queued_for_validation_on_commit(
    supervisor_client, csv_file, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks, "nudge", lambda batch_id, status: queued.append((batch_id, status)))
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "families:import_batch", args=[batch.pk]
    )
    assert queued == [(batch.pk, "validating")]
    assert batch.file_name == "kk-baru.csv" and batch.file_format == "csv" and len(batch.file_sha256) == 64
    html = supervisor_client.get(response["Location"]).content.decode()
    assert "baris sudah diperiksa" in html and 'hx-trigger="every 2s"' in html


def test_the_preview_shows_counts_and_error_rows_masked_then_confirm_imports(supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    tasks.validate_import(batch.pk)
    url = reverse("families:import_batch", args=[batch.pk])
    html = supervisor_client.get(url).content.decode()
    assert 'id="count-rows">4<' in html and 'id="count-valid">2<' in html and 'id="count-error">1<' in html
    assert 'id="count-duplicate">1<' in html and 'id="count-in-sync">0<' in html
    assert "Nomor urut NIK tidak boleh 0000." in html and "NIK sama dengan baris 2." in html
    assert "************0000" in html and person_nik(0) not in html and "3319014101900000" not in html
    assert "Konfirmasi impor" in html

    response = supervisor_client.post(reverse("families:import_confirm", args=[batch.pk]))
    assert response.status_code == 302 and reload_status(batch) == ImportBatch.Status.IMPORTING
    html = supervisor_client.get(reverse("families:import_progress", args=[batch.pk])).content.decode()
    assert "Membuat tiket: 0 dari 2 baris" in html and 'aria-valuenow="0"' in html
    tasks.run_import(batch.pk)
    assert Ticket.objects.filter(category=Category.PROACTIVE).count() == 2
    html = supervisor_client.get(url).content.decode()
    assert 'id="count-tickets">2 / 0<' in html and "Konfirmasi impor" not in html
    # Confirming again does nothing.
    supervisor_client.post(reverse("families:import_confirm", args=[batch.pk]))
    assert Ticket.objects.count() == 2


def test_polling_reloads_the_page_once_the_work_is_done(supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    url = reverse("families:import_progress", args=[batch.pk])
    assert "HX-Refresh" not in supervisor_client.get(url, HTTP_HX_REQUEST="true")
    tasks.validate_import(batch.pk)
    assert supervisor_client.get(url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_uploading_the_same_file_again_shows_the_earlier_batch_and_creates_nothing(
    supervisor_client, csv_file, supervisor
):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    tasks.validate_import(batch.pk)
    supervisor_client.post(reverse("families:import_confirm", args=[batch.pk]))
    tasks.run_import(batch.pk)
    tickets = Ticket.objects.count()

    response = supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("families:import_batch", args=[batch.pk])
    assert "sudah pernah diunggah" in response.content.decode()
    assert ImportBatch.objects.count() == 1 and Ticket.objects.count() == tickets


def test_the_earlier_upload_is_dated_in_wib(supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    ImportBatch.objects.update(created_at=dt.datetime(2026, 12, 1, 7, 5, tzinfo=dt.UTC))
    response = supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)}, follow=True)
    assert "sudah pernah diunggah pada 01/12/2026 14:05" in response.content.decode()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("kk.txt", b"a,b", "Hanya berkas .csv atau .xlsx yang dapat diimpor."),
        ("kk.xlsx", b"No KK,NIK", "Berkas ini bukan XLSX yang sah."),
        ("kk.csv", b"\xff\xfeN\x00I\x00K\x00", "Berkas ini bukan CSV teks. Simpan sebagai CSV UTF-8."),
        ("kk.csv", b"", "Berkas yang dikirimkan kosong."),
    ],
)
def test_a_wrong_file_is_refused_beside_the_field(supervisor_client, name, content, message):
    response = supervisor_client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.context["form"].errors["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(supervisor_client, csv_file, settings):
    settings.FAMILY_IMPORT_MAX_BYTES = 100
    response = supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    assert "Berkas terlalu besar" in response.context["form"].errors["file"][0]


def test_a_supervisor_of_another_office_gets_404(client, other_office, supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    client.force_login(make_staff("supervisor_semarang", other_office, SUPERVISOR_GROUP))
    for name in ("import_batch", "import_progress"):
        assert client.get(reverse(f"families:{name}", args=[batch.pk])).status_code == 404
    assert client.post(reverse("families:import_confirm", args=[batch.pk])).status_code == 404
    assert batch.pk not in [b.pk for b in client.get(UPLOAD).context["batches"]]


def test_the_upload_page_lists_the_offices_recent_batches(supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    html = supervisor_client.get(UPLOAD).content.decode()
    assert "kk-baru.csv" in html and "Sedang diperiksa" in html


def imported_batch(supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    tasks.validate_import(batch.pk)
    supervisor_client.post(reverse("families:import_confirm", args=[batch.pk]))
    tasks.run_import(batch.pk)
    return batch


def test_the_result_after_confirming_keeps_the_valid_count_and_links_to_the_tickets(
    supervisor_client, csv_file
):
    batch = imported_batch(supervisor_client, csv_file)
    html = supervisor_client.get(reverse("families:import_batch", args=[batch.pk])).content.decode()
    assert 'id="count-rows">4<' in html and 'id="count-valid">2<' in html and 'id="count-error">1<' in html
    assert 'id="count-duplicate">1<' in html and 'id="count-tickets">2 / 0<' in html
    link = reverse("families:import_tickets", args=[batch.pk])
    assert f'href="{link}"' in html and "Lihat 2 tiket dari impor ini" in html


def test_the_import_tickets_page_lists_each_ticket_with_its_row_and_masked_nik(supervisor_client, csv_file):
    batch = imported_batch(supervisor_client, csv_file)
    html = supervisor_client.get(reverse("families:import_tickets", args=[batch.pk])).content.decode()
    for ticket in Ticket.objects.filter(category=Category.PROACTIVE):
        assert reverse("tickets:detail", args=[ticket.code]) in html and ticket.display_code in html
    assert person_nik(0)[-4:] in html and person_nik(0) not in html and person_nik(1) not in html
    assert html.count("Tiket dibuat</td>") == 2


def test_the_import_tickets_page_before_the_import_says_there_are_none_yet(supervisor_client, csv_file):
    supervisor_client.post(UPLOAD, {"file": upload_of(csv_file)})
    batch = ImportBatch.objects.get()
    html = supervisor_client.get(reverse("families:import_tickets", args=[batch.pk])).content.decode()
    assert "Impor ini belum membuat tiket." in html


def test_the_import_tickets_page_is_refused_to_counter_staff_and_other_offices(
    supervisor_client, csv_file, clerk, client, other_office
):
    batch = imported_batch(supervisor_client, csv_file)
    url = reverse("families:import_tickets", args=[batch.pk])
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    client.force_login(make_staff("sup_semarang", other_office, SUPERVISOR_GROUP))
    assert client.get(url).status_code == 404


def test_the_import_tickets_page_runs_the_same_queries_for_one_page_or_three(
    supervisor_client, tmp_path, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TICKETS_PER_PAGE = 2
    rows = [row(family_kk(0), person_nik(i), f"ANGGOTA {i}") for i in range(6)]
    batch = imported_batch(supervisor_client, write_csv(tmp_path / "enam.csv", rows))
    url = reverse("families:import_tickets", args=[batch.pk])

    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_client.get(url, {"page": page}).status_code == 200
        return len(captured)

    assert queries(1) == queries(3)
