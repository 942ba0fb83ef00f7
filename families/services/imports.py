"""The KK import, step 1: store the upload, lease its batch, validate the file into a preview.

The import's two steps (validate the file, open the tickets: families/services/progress.py) are
resumable units of work: each run claims its batch with a conditional UPDATE (a lease in
`claimed_until`, as sync claims its jobs), works in chunks that each commit on their own, stops after
a time budget and reports "more". A run that dies loses at most its current chunk; the next run
carries on from what the database holds.
"""

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens import nik as nikparse
from citizens.models import Citizen, kk_digest, nik_digest
from core import lease
from families import importfile, importrows
from families.conf import setting
from families.models import ImportBatch, ImportRow
from families.services.family_push import start_assembled_pushes
from sync.models import SyncJob
from tickets.models import Office, Ticket
from tickets.workflow import Status

RowStatus = ImportRow.Status
BatchStatus = ImportBatch.Status


# --- upload --------------------------------------------------------------------------------------


def import_dir() -> Path:
    """Return SINKRON_VAR_DIR/imports/, created owner-only: the uploads hold NIKs in clear."""
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    sha256: str
    file_format: str


def store_upload(upload, file_format: str) -> StoredUpload:
    """Copy an upload to import_dir() chunk by chunk, hashing it on the way (never read whole)."""
    name = f"{uuid.uuid4().hex}.{file_format}"
    path = import_dir() / name
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        for chunk in upload.chunks():
            digest.update(chunk)
            target.write(chunk)
    return StoredUpload(path=path, sha256=digest.hexdigest(), file_format=file_format)


def register_upload(*, office: Office, uploaded_by, upload, file_format: str) -> tuple[ImportBatch, bool]:
    """Store an upload and create its batch; return (batch, created).

    The same file (same SHA-256) uploaded again to the same office returns the earlier batch and
    creates nothing. The caller queues validation once the new batch is committed.
    """
    stored = store_upload(upload, file_format)
    existing = ImportBatch.objects.filter(office=office, file_sha256=stored.sha256).first()
    if existing is not None:
        stored.path.unlink(missing_ok=True)
        return existing, False
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                office=office,
                uploaded_by=uploaded_by,
                file_name=nikparse.scrub(upload.name or "")[:255],
                file_sha256=stored.sha256,
                file_format=file_format,
                stored_name=stored.path.name,
            )
    except IntegrityError:  # the same file uploaded twice at the same instant
        stored.path.unlink(missing_ok=True)
        return ImportBatch.objects.get(office=office, file_sha256=stored.sha256), False
    return batch, True


# --- claiming a batch ----------------------------------------------------------------------------


def _claim(batch_id: int, status: str) -> ImportBatch | None:
    """Lease the batch for this run if it is in `status` and nobody holds it; None otherwise."""
    batches = ImportBatch.objects.filter(pk=batch_id, status=status)
    seconds = setting("FAMILY_IMPORT_CLAIM_SECONDS")
    if not lease.claim(batches, now=timezone.now(), seconds=seconds, runs=F("runs") + 1):
        return None
    batch = ImportBatch.objects.select_related("office").get(pk=batch_id)
    if batch.runs > setting("FAMILY_IMPORT_MAX_RUNS"):
        _fail(
            batch,
            _("Pemrosesan berhenti berulang kali; hubungi admin."),
            keep_rows=status == BatchStatus.IMPORTING,
        )
        return None
    return batch


def _release(batch: ImportBatch, **fields) -> bool:
    """Write `fields` and free the batch if this run still holds its lease; False otherwise."""
    return lease.release(batch, **fields)


def _fail(batch: ImportBatch, message: str, *, keep_rows: bool = False) -> None:
    """Fail the batch for good with a message for the supervisor.

    A failed validation keeps no rows (nothing of the file is imported). A failed import keeps them:
    the rows already turned into tickets are the record of what was done.
    """
    with transaction.atomic():
        if not keep_rows:
            ImportRow.objects.filter(batch=batch).delete()
        else:  # the groups it made go as they are (each push checks whether it is still a family)
            start_assembled_pushes(batch)
        _release(
            batch,
            status=BatchStatus.FAILED,
            failure_message=nikparse.scrub(message)[:300],
            finished_at=timezone.now(),
            stored_name="",
        )
    _delete_upload(batch)


def _delete_upload(batch: ImportBatch) -> None:
    if batch.stored_name:
        (import_dir() / batch.stored_name).unlink(missing_ok=True)


def _deadline(budget_seconds: float | None) -> float | None:
    return None if budget_seconds is None else time.monotonic() + budget_seconds


def _out_of_time(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


# --- step 1: validation --------------------------------------------------------------------------


def validate_batch(batch_id: int, *, budget_seconds: float | None = None) -> str:
    """Check the next rows of the batch's file and store them; return done|more|failed|skipped.

    Streams the file and writes ImportRows with bulk_create, one chunk per transaction. When the
    whole file is read, marks NIKs repeated within the file, counts the verdicts, deletes the
    upload and leaves the batch `previewed`.
    """
    batch = _claim(batch_id, BatchStatus.VALIDATING)
    if batch is None:
        return "skipped"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            finished = _validate_rows(batch, _deadline(budget_seconds))
            if not finished:
                _release(batch)
                return "more"
            _finish_validation(batch)
    except importfile.ImportFileError as exc:
        _fail(batch, exc.message)
        return "failed"
    except BaseException:
        _release(batch)  # another run may start at once; the chunk in progress was rolled back
        raise
    return "done"


def _validate_rows(batch: ImportBatch, deadline: float | None) -> bool:
    """Validate rows after the last one stored; return True once the file is exhausted."""
    path = import_dir() / batch.stored_name if batch.stored_name else None
    if path is None or not path.exists():
        raise importfile.ImportFileError(_("Berkas unggahan sudah tidak tersedia; unggah ulang berkasnya."))
    stored_up_to = batch.rows.aggregate(last=Max("row_number"))["last"] or 0
    counted = batch.progress_done
    max_rows, chunk_size = setting("FAMILY_IMPORT_MAX_ROWS"), setting("FAMILY_IMPORT_CHUNK_ROWS")
    today = timezone.localdate()
    kk_parser = importrows.KkParser(today)
    time_limit = setting("FAMILY_IMPORT_READ_SECONDS")
    with importfile.open_records(path, batch.file_format, time_limit=time_limit) as records:
        _header_row, columns = importrows.find_header(records)
        chunk: list[tuple[int, list]] = []
        for number, cells in records:
            if number <= stored_up_to or importrows.is_blank(cells):
                continue
            counted += 1
            if counted > max_rows:
                raise importfile.ImportFileError(
                    _("Berkas berisi lebih dari %(max)s baris data; bagi menjadi beberapa berkas.")
                    % {"max": max_rows}
                )
            chunk.append((number, cells))
            if len(chunk) >= chunk_size:
                _store_chunk(batch, columns, chunk, today, kk_parser)
                chunk = []
                if _out_of_time(deadline):
                    return False
        if chunk:
            _store_chunk(batch, columns, chunk, today, kk_parser)
    return True


def _store_chunk(
    batch: ImportBatch,
    columns: dict[str, int],
    chunk: list[tuple[int, list]],
    today: date,
    kk_parser: importrows.KkParser,
) -> None:
    checked, kk_digests = [], {}
    for number, cells in chunk:
        check = importrows.check_row(cells, columns, today=today, kk_parser=kk_parser)
        kk = ""
        if check.kk_number:  # the members of a family share one KK: one digest per family
            kk = kk_digests.get(check.kk_number) or kk_digests.setdefault(
                check.kk_number, kk_digest(check.kk_number)
            )
        checked.append((number, check, nik_digest(check.nik) if check.nik else "", kk))
    in_sync = already_in_sync({(nik, kk) for _number, check, nik, kk in checked if check.ok})
    rows = []
    for number, check, nik, kk in checked:
        if not check.ok:
            status, payload, errors = RowStatus.ERROR, "", nikparse.scrub(" ".join(check.errors))
        elif (nik, kk) in in_sync:
            status, payload, errors = RowStatus.ALREADY_IN_SYNC, "", ""
        else:
            status, payload, errors = RowStatus.VALID, json.dumps(check.payload()), ""
        rows.append(
            ImportRow(
                batch=batch,
                row_number=number,
                kk_digest=kk,
                nik_digest=nik,
                nik_masked=check.nik_masked,
                payload_json=payload,
                status=status,
                errors=errors,
            )
        )
    with transaction.atomic():
        ImportRow.objects.bulk_create(rows)
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_done=F("progress_done") + len(rows), updated_at=timezone.now()
        )


def already_in_sync(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return the (nik_digest, kk_digest) pairs the centre is known to hold already.

    A pair is in sync when Sinkron's current KK for that citizen is that KK, and the citizen's most
    recently resolved ticket was resolved by the sync pipeline (its SyncJob `verified`: a registry
    check showed the NIK with the ticket's KK) and carried that same KK. So the centre confirmed
    exactly this NIK+KK, and nothing newer about the citizen has been recorded since. A ticket
    resolved by hand, or only pushed, does not count: nobody saw the centre's answer.
    """
    if not pairs:
        return set()
    niks = {nik for nik, _kk in pairs}
    citizens = {
        pk: (nik, card)
        for pk, nik, card in Citizen.objects.filter(
            nik_digest__in=niks,
            family_card__kk_digest__in={kk for _nik, kk in pairs},
        ).values_list("pk", "nik_digest", "family_card__kk_digest")
    }
    if not citizens:
        return set()
    latest_resolved: dict[int, tuple[str, str]] = {}
    resolved = (
        Ticket.objects.filter(citizen_id__in=citizens, status=Status.RESOLVED)
        .order_by("citizen_id", "-resolved_at", "-id")
        .values_list("citizen_id", "kk_number", "sync_job__state")
    )
    for citizen_id, kk_number, job_state in resolved:
        latest_resolved.setdefault(citizen_id, (kk_number, job_state))
    found = set()
    for citizen_id, (kk_number, job_state) in latest_resolved.items():
        nik, card = citizens[citizen_id]
        if job_state == SyncJob.State.VERIFIED and kk_digest(kk_number) == card:
            found.add((nik, card))
    return found & pairs


def _finish_validation(batch: ImportBatch) -> None:
    with transaction.atomic():
        _mark_duplicates_in_file(batch)
        counts = _row_counts(batch)
        if not counts["row_count"]:
            raise importfile.ImportFileError(_("Berkas tidak berisi baris data di bawah baris judul."))
        _release(batch, status=BatchStatus.PREVIEWED, validated_at=timezone.now(), stored_name="", **counts)
    _delete_upload(batch)


def _mark_duplicates_in_file(batch: ImportBatch) -> None:
    """Mark every row whose NIK appeared on an earlier row of the file (the first one stays).

    Done in the database after all rows are stored (one GROUP BY finds the repeated NIKs), so
    memory does not grow with the file and a resumed validation needs no state of its own. Rows
    with errors keep their errors.
    """
    repeated = (
        ImportRow.objects.filter(batch=batch)
        .exclude(nik_digest="")
        .values("nik_digest")
        .annotate(n=Count("id"), first=Min("row_number"))
        .filter(n__gt=1)
        .order_by()
        .values_list("nik_digest", "first")
    )
    digests: dict[str, int] = {}
    for digest, first in repeated.iterator(chunk_size=2000):
        digests[digest] = first
        if len(digests) >= 500:
            _mark_later_rows(batch, digests)
            digests = {}
    if digests:
        _mark_later_rows(batch, digests)


def _mark_later_rows(batch: ImportBatch, first_rows: dict[str, int]) -> None:
    later = []
    for pk, digest, number in ImportRow.objects.filter(
        batch=batch, nik_digest__in=first_rows, status__in=[RowStatus.VALID, RowStatus.ALREADY_IN_SYNC]
    ).values_list("pk", "nik_digest", "row_number"):
        if number > first_rows[digest]:
            later.append(
                ImportRow(
                    pk=pk,
                    status=RowStatus.DUPLICATE_IN_FILE,
                    payload_json="",
                    errors=_("NIK sama dengan baris %(row)d.") % {"row": first_rows[digest]},
                )
            )
    ImportRow.objects.bulk_update(later, ["status", "payload_json", "errors"], batch_size=1000)


def _row_counts(batch: ImportBatch) -> dict:
    by_status = dict(ImportRow.objects.filter(batch=batch).values_list("status").annotate(n=Count("id")))
    return {
        "row_count": sum(by_status.values()),
        # Valid rows stay counted as valid once imported or linked: the figure the preview showed.
        "valid_count": sum(
            by_status.get(s, 0) for s in (RowStatus.VALID, RowStatus.IMPORTED, RowStatus.LINKED)
        ),
        "error_count": by_status.get(RowStatus.ERROR, 0),
        "duplicate_count": by_status.get(RowStatus.DUPLICATE_IN_FILE, 0),
        "in_sync_count": by_status.get(RowStatus.ALREADY_IN_SYNC, 0),
        "imported_count": by_status.get(RowStatus.IMPORTED, 0),
        "linked_count": by_status.get(RowStatus.LINKED, 0),
    }
