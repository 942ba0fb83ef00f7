"""The KK import, step 2: a confirmed batch progresses into tickets, chunk by chunk.

Rows already imported or linked are never touched again; a batch whose runs stopped making progress
is found by `stale_batches` and re-driven (families.tasks.sweep_imports).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens import nik as nikparse
from core import lease
from families.conf import setting
from families.models import FamilyGroup, FamilyMember, ImportBatch, ImportRow
from families.services.family_push import assemble_import_pushes, start_assembled_pushes
from families.services.imports import _claim, _deadline, _out_of_time, _release, _row_counts
from families.services.intake import _open_or_link
from tickets.models import Category, Service, Ticket
from tickets.services import Complaint, TicketError

RowStatus = ImportRow.Status
BatchStatus = ImportBatch.Status


def confirm_batch(*, batch: ImportBatch, actor) -> bool:
    """Start importing a previewed batch; False if it was confirmed already (or has nothing valid).

    The caller queues the import once this commits. Confirming twice changes nothing.
    """
    now = timezone.now()
    return (
        ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.PREVIEWED, valid_count__gt=0).update(
            status=BatchStatus.IMPORTING,
            confirmed_at=now,
            confirmed_by=actor,
            progress_done=0,
            progress_total=F("valid_count"),
            runs=0,
            updated_at=now,
        )
        == 1
    )


def import_batch(batch_id: int, *, budget_seconds: float | None = None) -> str:
    """Open (or link) a proactive ticket for the next valid rows; return done|more|skipped.

    Rows already imported or linked are never touched again, so a re-run, a redelivered message
    or a second confirmation creates nothing new.
    """
    batch = _claim(batch_id, BatchStatus.IMPORTING)
    if batch is None:
        return "skipped"
    deadline = _deadline(budget_seconds)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            while _import_chunk(batch):
                if _out_of_time(deadline):
                    _release(batch)
                    return "more"
            with transaction.atomic():
                _release(batch, status=BatchStatus.DONE, finished_at=timezone.now(), **_row_counts(batch))
                start_assembled_pushes(batch)
    except BaseException:
        _release(batch)
        raise
    return "done"


def _import_chunk(batch: ImportBatch) -> int:
    """Import one chunk of valid rows in one transaction; return how many rows it took."""
    with transaction.atomic():
        rows = list(
            ImportRow.objects.filter(batch=batch, status=RowStatus.VALID)
            .order_by("row_number")
            .select_for_update(skip_locked=True)[: setting("FAMILY_IMPORT_TICKET_CHUNK")]
        )
        if not rows:
            return 0
        payloads = {row.pk: row.payload for row in rows}
        open_tickets = _open_tickets_by_nik({row.nik_digest for row in rows})
        groups = _groups_for(batch, rows, payloads)
        members = []
        for row in rows:
            data = payloads[row.pk]
            try:
                # open_ticket runs in its own savepoint: a refused row leaves the chunk intact.
                # Proactive tickets are the system's: nobody's personal queue fills with a whole file.
                ticket, linked = _open_or_link(
                    office=batch.office,
                    created_by=None,
                    complaint=_complaint(batch, row, data),
                    existing=open_tickets.get(row.nik_digest),
                )
            except TicketError as exc:
                row.status = RowStatus.ERROR
                row.errors = nikparse.scrub(
                    _("Tiket tidak dapat dibuat: %(reason)s") % {"reason": exc.message}
                )
                continue
            row.status, row.ticket = (RowStatus.LINKED if linked else RowStatus.IMPORTED), ticket
            members.append(
                FamilyMember(
                    group=groups[row.kk_digest],
                    ticket=ticket,
                    relation=data["relation"],
                    linked=linked,
                    position=row.row_number,
                )
            )
        FamilyMember.objects.bulk_create(members, ignore_conflicts=True)
        opened = [row.ticket_id for row in rows if row.status == RowStatus.IMPORTED]
        assemble_import_pushes(groups.values(), opened)
        ImportRow.objects.bulk_update(rows, ["status", "ticket", "errors"])
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_done=F("progress_done") + len(rows), updated_at=timezone.now()
        )
    return len(rows)


def _open_tickets_by_nik(digests: set[str]) -> dict[str, Ticket]:
    """Return {nik_digest: oldest open ticket} for the citizens among `digests` (one query)."""
    found: dict[str, Ticket] = {}
    for ticket in (
        Ticket.objects.open()
        .filter(citizen__nik_digest__in=digests)
        .select_related("citizen")
        .order_by("created_at", "id")
    ):
        found.setdefault(ticket.citizen.nik_digest, ticket)
    return found


def _groups_for(batch: ImportBatch, rows: list[ImportRow], payloads: dict) -> dict[str, FamilyGroup]:
    """Return the batch's group for each KK of the chunk, creating the missing ones (one per KK)."""
    groups = {
        group.kk_digest: group
        for group in FamilyGroup.objects.filter(batch=batch, kk_digest__in={row.kk_digest for row in rows})
    }
    for row in rows:
        if row.kk_digest not in groups:
            groups[row.kk_digest] = FamilyGroup.objects.create(
                batch=batch,
                office=batch.office,
                kk_number=payloads[row.pk]["kk_number"],
                source=FamilyGroup.Source.IMPORT,
                created_by=batch.confirmed_by,
            )
    return groups


def _complaint(batch: ImportBatch, row: ImportRow, data: dict) -> Complaint:
    return Complaint(
        nik=data["nik"],
        full_name=data["full_name"],
        birth_date=date.fromisoformat(data["birth_date"]),
        sex=data["sex"],
        phone="",
        kk_number=data["kk_number"],
        kk_number_old="",
        category=Category.PROACTIVE,
        service=Service.OTHER,
        description=_("Resinkronisasi proaktif: KK baru terbit %(date)s (impor #%(batch)d, baris %(row)d).")
        % {
            "date": date.fromisoformat(data["issue_date"]).strftime("%d/%m/%Y"),
            "batch": batch.pk,
            "row": row.row_number,
        },
    )


# --- re-driving lost runs ------------------------------------------------------------------------


def stale_batches(now=None) -> list[tuple[int, str]]:
    """Return (id, status) of busy batches without progress for FAMILY_IMPORT_STALE_SECONDS."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=setting("FAMILY_IMPORT_STALE_SECONDS"))
    return list(
        ImportBatch.objects.filter(status__in=ImportBatch.BUSY_STATUSES, updated_at__lt=cutoff)
        .filter(lease.unclaimed(now))
        .values_list("pk", "status")[:100]
    )
