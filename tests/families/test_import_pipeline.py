"""The proactive import end to end, calling the task functions directly (no worker)."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from families import services, tasks
from families.models import FamilyGroup, FamilyMember, ImportBatch, ImportRow
from families.services import imports
from sync.models import SyncJob
from tests.cast import complaint
from tests.families.conftest import reload
from tests.families.support import family_kk, person_nik, row, write_csv
from tickets import services as ticket_services
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db
Row = ImportRow.Status

KK_A, KK_B, KK_C = family_kk(0), family_kk(1), family_kk(2)


def resolved_by_the_pipeline(office, clerk, nik, kk):
    """A ticket the sync pipeline resolved: pushed, verified against the registry, job verified."""
    ticket = ticket_services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(nik=nik, kk_number=kk, kk_number_old="", sex="L", birth_date=dt.date(1985, 1, 1)),
    )
    now = timezone.now()
    ticket = ticket_services.mark_pushed(
        ticket=ticket, accepted_at=now, sla_due_at=now + dt.timedelta(hours=24)
    )
    ticket_services.mark_verified(ticket=ticket)
    SyncJob.objects.filter(ticket=ticket).update(state=SyncJob.State.VERIFIED, verified_at=now)
    return ticket


@pytest.fixture
def known_citizens(office, clerk):
    """Citizens Sinkron already knows: two in sync on KK_C, one verified on an old KK, one with an open ticket."""
    in_sync = [resolved_by_the_pipeline(office, clerk, person_nik(n), KK_C) for n in (20, 21)]
    old_kk = resolved_by_the_pipeline(office, clerk, person_nik(22), family_kk(9))
    by_hand = ticket_services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(nik=person_nik(23), kk_number=KK_C, kk_number_old="", sex="L"),
    )
    now = timezone.now()
    by_hand = ticket_services.mark_pushed(
        ticket=by_hand, accepted_at=now, sla_due_at=now + dt.timedelta(hours=24)
    )
    ticket_services.resolve_ticket(ticket=by_hand, actor=clerk, reason="Warga mengonfirmasi lewat telepon.")
    still_open = ticket_services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(
            nik=person_nik(24), kk_number=KK_B, kk_number_old="", category="nik_not_found", sex="L"
        ),
    )
    return {"in_sync": in_sync, "old_kk": old_kk, "by_hand": by_hand, "open": still_open}


@pytest.fixture
def mixed_file(tmp_path):
    """13 data rows: 7 valid, 3 malformed, 1 repeated NIK, 2 already in sync (and a blank line)."""
    return write_csv(
        tmp_path / "kk-maret.csv",
        [
            row(KK_A, person_nik(0), "AGUS", relation="Kepala Keluarga"),  # 2 valid
            row(KK_A, person_nik(1, female=True), "RINA", sex="P", relation="Istri"),  # 3 valid
            row(KK_A, person_nik(2), "ADI", birth="2010-05-01"),  # 4 valid (ISO date)
            row(KK_B, "3319014101900000", "SALAH NIK"),  # 5 error: serial 0000
            row(KK_B, person_nik(3), "SALAH TANGGAL", birth="31/02/1985"),  # 6 error: no such date
            row(KK_B, person_nik(4), ""),  # 7 error: name missing
            ["", "", "", "", "", "", ""],  # 8 blank: not a row
            row(KK_A, person_nik(1, female=True), "RINA LAGI", sex="P"),  # 9 duplicate of row 3
            row(KK_C, person_nik(20), "SUDAH SINKRON SATU"),  # 10 already in sync
            row(KK_C, person_nik(21), "SUDAH SINKRON DUA"),  # 11 already in sync
            row(KK_C, person_nik(22), "KK LAMA TERVERIFIKASI"),  # 12 valid: centre has the old KK
            row(KK_C, person_nik(23), "SELESAI MANUAL"),  # 13 valid: nobody saw the centre
            row(
                KK_B, person_nik(24), "MASIH TERBUKA", relation="Kepala Keluarga"
            ),  # 14 valid: will be linked
            row(KK_B, person_nik(25), "ANAK B"),  # 15 valid
        ],
    )


def validated(make_batch, path, file_format="csv"):
    batch = make_batch(path, file_format)
    assert tasks.validate_import(batch.pk) == "done"
    return reload(batch)


def test_the_preview_counts_are_exact(make_batch, mixed_file, known_citizens):
    batch = validated(make_batch, mixed_file)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert (
        batch.row_count,
        batch.valid_count,
        batch.error_count,
        batch.duplicate_count,
        batch.in_sync_count,
    ) == (13, 7, 3, 1, 2)
    rows = {r.row_number: r for r in batch.rows.all()}
    assert sorted(rows) == [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]
    assert rows[5].errors == "Nomor urut NIK tidak boleh 0000." and rows[5].nik_masked == "************0000"
    assert rows[6].errors == "Tanggal Lahir tidak valid (gunakan dd/mm/yyyy atau yyyy-mm-dd)."
    assert rows[7].errors == "Nama wajib diisi."
    assert rows[9].status == Row.DUPLICATE_IN_FILE and rows[9].errors == "NIK sama dengan baris 3."
    assert {rows[10].status, rows[11].status} == {Row.ALREADY_IN_SYNC}
    assert {rows[n].status for n in (2, 3, 4, 12, 13, 14, 15)} == {Row.VALID}
    assert all(person_nik(n) not in (r.errors + r.nik_masked) for r in rows.values() for n in range(30))
    # Only rows that may become tickets keep their (encrypted) data.
    assert rows[2].payload["nik"] == person_nik(0) and rows[5].payload == {} and rows[10].payload == {}
    assert ImportRow.objects.filter(nik_digest="").count() == 1  # only the row whose NIK could not be read
    # The upload held NIKs in clear: it is gone once the rows are stored.
    assert batch.stored_name == "" and not any(services.import_dir().iterdir())
    assert not Ticket.objects.filter(category=Category.PROACTIVE).exists()


def test_confirming_opens_proactive_tickets_for_valid_rows_only_and_links_open_ones(
    make_batch, mixed_file, known_citizens, supervisor
):
    batch = validated(make_batch, mixed_file)
    before = set(Ticket.objects.values_list("pk", flat=True))
    assert services.confirm_batch(batch=batch, actor=supervisor)
    assert tasks.run_import(batch.pk) == "done"
    batch = reload(batch)
    assert batch.status == ImportBatch.Status.DONE and batch.percent == 100
    assert (batch.imported_count, batch.linked_count, batch.valid_count) == (6, 1, 7)
    new = Ticket.objects.exclude(pk__in=before)
    assert new.count() == 6 and set(new.values_list("category", flat=True)) == {Category.PROACTIVE}
    assert set(new.values_list("service", flat=True)) == {"other"}
    assert (
        not new.filter(created_by__isnull=False).exists() and not new.filter(assignee__isnull=False).exists()
    )
    assert SyncJob.objects.filter(ticket__in=new).count() == 6
    imported_niks = {t.citizen.nik for t in new.select_related("citizen")}
    assert imported_niks == {
        person_nik(0),
        person_nik(1, female=True),
        person_nik(2),
        person_nik(22),
        person_nik(23),
        person_nik(25),
    }
    linked = ImportRow.objects.get(batch=batch, row_number=14)
    assert linked.status == Row.LINKED and linked.ticket == known_citizens["open"]
    # One group per KK in the file, with every member it got.
    groups = {g.kk_number: g for g in FamilyGroup.objects.filter(batch=batch)}
    assert set(groups) == {KK_A, KK_B, KK_C}
    assert all(g.source == "import" and g.created_by == supervisor for g in groups.values())
    assert groups[KK_A].members.count() == 3 and groups[KK_B].members.count() == 2
    assert groups[KK_C].members.count() == 2
    assert FamilyMember.objects.get(ticket=known_citizens["open"]).linked
    assert "KK baru terbit 15/01/2024" in new.first().description
    citizen = new.get(citizen__full_name="AGUS").citizen
    assert citizen.family_card.kk_number == KK_A


def test_confirming_twice_or_re_running_creates_nothing_new(
    make_batch, mixed_file, known_citizens, supervisor
):
    batch = validated(make_batch, mixed_file)
    services.confirm_batch(batch=batch, actor=supervisor)
    tasks.run_import(batch.pk)
    counts = (
        Ticket.objects.count(),
        FamilyGroup.objects.count(),
        FamilyMember.objects.count(),
        SyncJob.objects.count(),
    )
    assert not services.confirm_batch(batch=reload(batch), actor=supervisor)
    assert tasks.run_import(batch.pk) == "skipped"
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.IMPORTING
    )  # as if a run were redelivered
    assert tasks.run_import(batch.pk) == "done"
    assert tasks.validate_import(batch.pk) == "skipped"
    assert (
        Ticket.objects.count(),
        FamilyGroup.objects.count(),
        FamilyMember.objects.count(),
        SyncJob.objects.count(),
    ) == counts


def test_the_same_file_uploaded_again_is_the_same_batch(make_batch, mixed_file, office, supervisor):
    batch = make_batch(mixed_file)
    upload = mock.Mock(name="upload")
    upload.name = "kk-maret (1).csv"
    upload.chunks.return_value = iter([mixed_file.read_bytes()])
    again, created = services.register_upload(
        office=office, uploaded_by=supervisor, upload=upload, file_format="csv"
    )
    assert again == batch and not created
    assert ImportBatch.objects.count() == 1
    assert len(list(services.import_dir().iterdir())) == 1  # the second copy was not kept


def test_a_file_without_a_required_column_fails_with_a_message_and_keeps_nothing(make_batch, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [row(KK_A, person_nik(0))[:5]],
        header=["No KK", "NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin"],
    )
    batch = make_batch(path)
    assert tasks.validate_import(batch.pk) == "failed"
    batch = reload(batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert "Kolom wajib tidak ditemukan: Hubungan, Tanggal Terbit." in batch.failure_message
    assert not batch.rows.exists() and not any(services.import_dir().iterdir())


def test_a_header_without_data_rows_fails(make_batch, tmp_path):
    batch = make_batch(write_csv(tmp_path / "a.csv", []))
    assert tasks.validate_import(batch.pk) == "failed"
    assert "tidak berisi baris data" in reload(batch).failure_message


def test_too_many_rows_fail_the_batch(make_batch, tmp_path, settings):
    settings.FAMILY_IMPORT_MAX_ROWS = 3
    settings.FAMILY_IMPORT_CHUNK_ROWS = 2
    batch = make_batch(write_csv(tmp_path / "a.csv", [row(KK_A, person_nik(n)) for n in range(4)]))
    assert tasks.validate_import(batch.pk) == "failed"
    assert "lebih dari 3 baris" in reload(batch).failure_message and not ImportRow.objects.exists()


def test_validation_and_import_resume_in_chunks_across_runs(
    make_batch, mixed_file, known_citizens, supervisor, settings
):
    """Each run stops after its budget and re-queues itself; the runs add up to one full pass."""
    settings.FAMILY_IMPORT_CHUNK_ROWS = 2
    settings.FAMILY_IMPORT_TICKET_CHUNK = 2
    settings.FAMILY_IMPORT_TASK_SECONDS = 0  # stop after every chunk
    batch = make_batch(mixed_file)
    with mock.patch("families.tasks.nudge") as nudge:
        outcomes = [tasks.validate_import(batch.pk) for _run in range(8)]
    assert outcomes == ["more"] * 6 + ["done", "skipped"]
    assert nudge.call_count == 6 and nudge.call_args.args == (batch.pk, ImportBatch.Status.VALIDATING)
    batch = reload(batch)
    assert (
        batch.row_count,
        batch.valid_count,
        batch.error_count,
        batch.duplicate_count,
        batch.in_sync_count,
    ) == (13, 7, 3, 1, 2)
    services.confirm_batch(batch=batch, actor=supervisor)
    with mock.patch("families.tasks.nudge"):
        first = tasks.run_import(batch.pk)
        assert first == "more" and reload(batch).progress_done == 2 and reload(batch).percent == 28
        while tasks.run_import(batch.pk) == "more":
            pass
    batch = reload(batch)
    assert batch.status == ImportBatch.Status.DONE and (batch.imported_count, batch.linked_count) == (6, 1)


def test_a_run_that_holds_the_lease_keeps_others_out(make_batch, mixed_file):
    batch = make_batch(mixed_file)
    ImportBatch.objects.filter(pk=batch.pk).update(claimed_until=timezone.now() + dt.timedelta(minutes=1))
    assert tasks.validate_import(batch.pk) == "skipped"
    assert not ImportRow.objects.exists()


def test_a_crashed_run_is_re_driven_by_the_sweep(make_batch, mixed_file, settings):
    batch = make_batch(mixed_file)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    with mock.patch("families.tasks.nudge") as nudge:
        assert tasks.sweep_imports() == 1
    nudge.assert_called_once_with(batch.pk, ImportBatch.Status.VALIDATING)


def test_xlsx_files_import_like_csv(make_batch, tmp_path):
    import xlsxwriter

    path = tmp_path / "kk.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(
        0, 0, ["No KK", "NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Hubungan", "Tanggal Terbit"]
    )
    for n in range(5):
        sheet.write_row(n + 1, 0, row(KK_A, person_nik(n if n < 4 else 0)))
    sheet.write_row(6, 0, row(KK_A, "123"))
    workbook.close()
    batch = validated(make_batch, path, "xlsx")
    assert (batch.row_count, batch.valid_count, batch.duplicate_count, batch.error_count) == (6, 4, 1, 1)


def test_a_batch_that_keeps_crashing_is_failed_but_keeps_what_it_imported(
    make_batch, mixed_file, known_citizens, supervisor, settings
):
    batch = validated(make_batch, mixed_file)
    services.confirm_batch(batch=batch, actor=supervisor)
    settings.FAMILY_IMPORT_TICKET_CHUNK = 2
    settings.FAMILY_IMPORT_TASK_SECONDS = 0
    with mock.patch("families.tasks.nudge"):
        assert tasks.run_import(batch.pk) == "more"
    settings.FAMILY_IMPORT_MAX_RUNS = 1
    assert tasks.run_import(batch.pk) == "skipped"
    batch = reload(batch)
    assert batch.status == ImportBatch.Status.FAILED and "berulang kali" in batch.failure_message
    assert batch.rows.filter(status=Row.IMPORTED).count() == 2 and batch.rows.count() == 13


def test_a_run_whose_lease_was_taken_over_cannot_write_its_outcome(make_batch, mixed_file):
    batch = make_batch(mixed_file)
    first = imports._claim(batch.pk, ImportBatch.Status.VALIDATING)
    ImportBatch.objects.filter(pk=batch.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    second = imports._claim(batch.pk, ImportBatch.Status.VALIDATING)  # the lease ran out: another run
    assert second is not None
    assert imports._release(first, status=ImportBatch.Status.FAILED) is False
    batch = reload(batch)
    assert batch.status == ImportBatch.Status.VALIDATING and batch.claimed_until == second.claimed_until
    assert imports._release(second) is True and reload(batch).claimed_until is None
