"""Retention (UU PDP: end, delete or destroy data when its retention period ends).

RETENTION_DAYS (default 365) after a ticket reached its final status (resolved_at for Selesai,
closed_at for Ditolak/Ditutup), its personal data is erased, and the citizen's too once none of
their tickets is open or still within retention. What the dashboard counts stays: tickets, their
office, category, service, status, assignee and every date; the timeline's kinds and statuses.

Erased (or anonymised) per citizen purged:
- Citizen: NIK, phone and e-mail emptied, the name replaced by "[dihapus]", the birth date cut
  to 1 January of its year; the NIK digest set to a random unique value ("purged-..."), so the
  NIK can no longer be found — a citizen who comes back later is a new record.
- Their tickets: KK numbers (and last four digits), contact (phone, e-mail), description and
  outcome note.
- The timeline of those tickets: the text of staff notes, escalation contacts, staff-written
  status reasons and notification lines (they name a masked recipient) becomes "[dihapus]".
- Sync jobs of those tickets: the payload (it holds the NIK) becomes "{}" and the last error goes;
  the sync pipeline never reads the payload of a ticket that is no longer open.
- Notifications of those tickets: recipient hint and last error.
- Corrections of the citizen: the free-text reason (the fields changed stay).
- Documents of those tickets (scans, photos): rows deleted, and their encrypted files (and
  thumbnails) deleted from storage once the batch has committed.
- Family cards no remaining (unpurged) citizen refers to: number, head of family and address.
- Families: the import rows naming them (by NIK digest or ticket) lose their payload, digests,
  masked NIK and errors; the family updates sent for their groups lose their payload (every
  member's NIK), the centre's refusal and last error; family groups none of whose members remains lose their KK number and
  digest. Import rows that never became a ticket, and groups left with no member, go once their
  batch or group is past retention.
What stays: PersonalDataAccess rows and the audit trail (they hold no personal numbers and are the
record of processing), sync attempts (no personal data).

Runs in batches, each in its own transaction with the citizens locked and re-checked, so a ticket
opened meanwhile keeps its citizen. Idempotent: a purged citizen is no candidate again. Every run
that writes is audited with its counts. Called by `manage.py purge_personal_data` and by the Celery
task desk.tasks.purge_personal_data (daily).
"""

import datetime as dt
import logging
import secrets
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncYear
from django.utils import timezone

from audit import services as audit
from citizens.models import Citizen, DataCorrection, FamilyCard, FamilyMembership
from documents.models import Document
from documents.services import delete_documents
from families.models import FamilyGroup, FamilyMember, FamilyPush, ImportRow
from notifications.models import Notification, OptOut
from sync.models import SyncJob
from tickets.models import Ticket, TicketEvent
from tickets.workflow import OPEN_STATUSES
from whatsapp.models import Contact

logger = logging.getLogger(__name__)

PURGED_PREFIX = "purged-"
ERASED = "[dihapus]"
BATCH_SIZE = 200
# Timeline lines whose text a person typed (or that name a recipient); the rest are fixed texts.
FREE_TEXT_KINDS = (TicketEvent.Kind.NOTE, TicketEvent.Kind.ESCALATION, TicketEvent.Kind.NOTIFICATION)

# Every column that may hold a citizen's personal data, by model, all erased by the purge.
# tests/audit/test_retention_coverage.py finds such columns by name in every installed model: a new
# one fails that test until it is listed here, or its model in NOT_CITIZEN_DATA with the reason.
PURGED_FIELDS = {
    "citizens.Citizen": ("nik", "nik_digest", "nik_last4", "full_name", "birth_date", "phone", "email"),
    "citizens.FamilyCard": ("kk_number", "kk_digest", "kk_last4", "head_name", "address"),
    "citizens.DataCorrection": ("reason",),
    "tickets.Ticket": (
        "kk_number",
        "kk_last4",
        "kk_number_old",
        "phone",
        "email",
        "description",
        "outcome_note",
    ),
    "tickets.TicketEvent": ("message", "message_id", "message_params"),
    "sync.SyncJob": ("payload_json", "last_error"),
    "notifications.Notification": ("recipient_hint", "last_error", "provider_message_id"),
    "families.ImportRow": ("payload_json", "nik_digest", "kk_digest", "nik_masked", "errors"),
    "families.FamilyGroup": ("kk_number", "kk_digest", "kk_last4"),
    "families.FamilyPush": ("payload_json", "last_error", "refusal"),
    # Deleted whole, with the files: the row's other columns describe only the file.
    "documents.Document": ("original_name",),
    # A number that wrote to the office's WhatsApp and has been silent past retention: deleted whole,
    # with its messages and our replies.
    "whatsapp.Contact": ("phone", "phone_digest", "phone_hint"),
    "whatsapp.InboundMessage": ("contact", "provider_message_id"),
    "whatsapp.Reply": ("contact", "provider_message_id", "last_error"),
    # A number's "BERHENTI", kept as long as its WhatsApp contact (the same cutoff).
    "notifications.OptOut": ("address_digest",),
}
# "app.Model" for a whole model, "app.Model.field" for one column.
NOT_CITIZEN_DATA = {
    "citizens.DataCorrection.office_name": "the office where the correction was made",
    "admin.LogEntry": "staff edits in the admin; citizens and tickets are read-only there",
    "sessions.Session": "staff sessions, gone 30 idle minutes after use (an admin search keeps a digest)",
    "axes.AccessAttempt": "staff sign-in attempts",
    "axes.AccessFailureLog": "staff sign-in failures",
    "axes.AccessLog": "staff sign-ins",
    "otp_totp.TOTPDevice": "staff second-factor devices",
    "helpdesk.EncryptedTOTPDevice": "staff second-factor devices (their secrets encrypted)",
    "otp_static.StaticDevice": "staff backup-code devices",
    "citizens.PersonalDataAccess": "the record of processing: who saw the data, from which staff address",
    "audit.AuditEntry": "the record of processing: scrubbed of numbers, hash-chained, kept by law",
    "citizens.Region": "Kemendagri's region names",
    "tickets.Office": "the office's name and contact",
    "tickets.StaffProfile": "staff, not citizens",
    "auth.User": "staff accounts, not citizens",
    "auth.Group": "role names",
    "auth.Permission": "permission names",
    "contenttypes.ContentType": "model names",
    "families.ImportBatch": "the office's upload: file name and counts (its rows are ImportRow)",
    "sync.SyncAttempt": "one HTTP call: operation, outcome, status, a scrubbed error",
}


def retention_days() -> int:
    return int(getattr(settings, "RETENTION_DAYS", 365))


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Return the moment before which a final ticket's data is past retention."""
    return (now or timezone.now()) - dt.timedelta(days=retention_days())


@dataclass
class PurgeReport:
    citizens: int = 0
    tickets: int = 0
    family_cards: int = 0
    events: int = 0
    sync_jobs: int = 0
    notifications: int = 0
    corrections: int = 0
    import_rows: int = 0
    family_groups: int = 0
    documents: int = 0
    whatsapp_contacts: int = 0
    complete: bool = True

    def add(self, other: "PurgeReport") -> None:
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return asdict(self)


COUNTED = (
    "citizens",
    "tickets",
    "family_cards",
    "events",
    "sync_jobs",
    "notifications",
    "corrections",
    "import_rows",
    "family_groups",
    "documents",
    "whatsapp_contacts",
)


# --- who is past retention -----------------------------------------------------------------------


def kept_tickets(cutoff: dt.datetime) -> QuerySet:
    """Tickets that keep their citizen's data: open, or final for less than the retention period."""
    # A final ticket always has resolved_at or closed_at; updated_at only guards odd old rows.
    ended = Coalesce("resolved_at", "closed_at", "updated_at")
    return Ticket.objects.annotate(ended=ended).filter(Q(status__in=OPEN_STATUSES) | Q(ended__gte=cutoff))


def purgeable_citizens(cutoff: dt.datetime) -> QuerySet:
    """Citizens not yet purged with no ticket open or within retention.

    A citizen with no ticket at all (none is created that way today) goes once created before the cutoff.
    """
    kept = kept_tickets(cutoff).filter(citizen=OuterRef("pk"))
    has_ticket = Ticket.objects.filter(citizen=OuterRef("pk"))
    return (
        Citizen.objects.exclude(nik_digest__startswith=PURGED_PREFIX)
        .filter(~Exists(kept))
        .filter(Exists(has_ticket) | Q(created_at__lt=cutoff))
    )


def _free_text_events(tickets: QuerySet) -> QuerySet:
    return (
        TicketEvent.objects.filter(ticket__in=tickets)
        .filter(Q(kind__in=FREE_TEXT_KINDS) | Q(kind=TicketEvent.Kind.STATUS, actor__isnull=False))
        .exclude(message=ERASED)
    )


def _orphaned_cards(citizen_ids, remaining_citizens: QuerySet) -> QuerySet:
    """Family cards of `citizen_ids` that no citizen in `remaining_citizens` refers to."""
    referenced = Q(members__in=citizen_ids) | Q(memberships__citizen__in=citizen_ids)
    still_used = Q(Exists(remaining_citizens.filter(family_card=OuterRef("pk")))) | Q(
        Exists(FamilyMembership.objects.filter(family_card=OuterRef("pk"), citizen__in=remaining_citizens))
    )
    ids = FamilyCard.objects.filter(referenced).values("pk")
    return (
        FamilyCard.objects.filter(pk__in=ids).exclude(kk_digest__startswith=PURGED_PREFIX).exclude(still_used)
    )


def _import_rows_of(digests, tickets: QuerySet) -> QuerySet:
    """Import rows naming these NIK digests or these tickets, not yet erased."""
    return _not_erased_rows(ImportRow.objects.filter(Q(nik_digest__in=digests) | Q(ticket__in=tickets)))


def _not_erased_rows(rows: QuerySet) -> QuerySet:
    return rows.exclude(payload_json="", nik_digest="", kk_digest="", nik_masked="", errors="")


def _stale_import_rows(cutoff: dt.datetime) -> QuerySet:
    """Rows of batches past retention that never became a ticket (errors, duplicates, in sync)."""
    return _not_erased_rows(ImportRow.objects.filter(batch__created_at__lt=cutoff, ticket__isnull=True))


def _groups_left_by(tickets: QuerySet, remaining_citizens: QuerySet) -> QuerySet:
    """Family groups of `tickets` none of whose members' citizens is in `remaining_citizens`."""
    kept_member = FamilyMember.objects.filter(group=OuterRef("pk"), ticket__citizen__in=remaining_citizens)
    ids = FamilyMember.objects.filter(ticket__in=tickets).values("group")
    return _not_erased_groups(FamilyGroup.objects.filter(pk__in=ids).exclude(Exists(kept_member)))


def _stale_empty_groups(cutoff: dt.datetime) -> QuerySet:
    """Groups past retention that never had a member (every row of their import failed)."""
    return _not_erased_groups(FamilyGroup.objects.filter(created_at__lt=cutoff, members__isnull=True))


def _not_erased_groups(groups: QuerySet) -> QuerySet:
    return groups.exclude(kk_digest__startswith=PURGED_PREFIX)


def _erase_import_rows(rows: QuerySet) -> int:
    return rows.update(payload_json="", nik_digest="", kk_digest="", nik_masked="", errors="")


def _erase_groups(groups: QuerySet) -> int:
    ids = list(groups.select_for_update(of=("self",)).values_list("pk", flat=True))
    for pk in ids:  # a random digest per row, matching no KK
        FamilyGroup.objects.filter(pk=pk).update(
            kk_number="", kk_last4="", kk_digest=PURGED_PREFIX + secrets.token_hex(28)
        )
    return len(ids)


# --- the purge -----------------------------------------------------------------------------------


def purge_personal_data(
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    time_budget: float | None = None,
    actor_label: str = "retensi",
) -> PurgeReport:
    """Erase the personal data past retention; return the counts. A dry run only counts.

    `time_budget` (seconds) stops between batches once spent; the report then says complete=False
    and the next run carries on where this one stopped.
    """
    cutoff = retention_cutoff(now)
    if dry_run:
        return _count(cutoff)
    report = PurgeReport()
    started = time.monotonic()
    try:
        last_pk = 0
        while True:
            if time_budget is not None and time.monotonic() - started > time_budget:
                report.complete = False
                break
            ids = list(
                purgeable_citizens(cutoff)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            last_pk = ids[-1]
            report.add(_purge_batch(ids, cutoff))
        if report.complete:
            report.add(_purge_stale_unlinked(cutoff))
    finally:
        audit.record(
            action="retention_purge",
            actor_label=actor_label,
            object_type="system",
            details={**report.as_dict(), "retention_days": retention_days(), "cutoff": cutoff.isoformat()},
        )
    logger.info("retention purge: %s", report.as_dict())
    return report


@transaction.atomic
def _purge_batch(ids: list[int], cutoff: dt.datetime) -> PurgeReport:
    # Lock first, then re-check in a new statement: a ticket opened since the candidates were read
    # (open_ticket locks the citizen too) is seen here, and that citizen is left alone.
    locked = list(Citizen.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    ids = list(purgeable_citizens(cutoff).filter(pk__in=locked).values_list("pk", flat=True))
    report = PurgeReport()
    if not ids:
        return report
    tickets = Ticket.objects.filter(citizen__in=ids)
    digests = list(Citizen.objects.filter(pk__in=ids).values_list("nik_digest", flat=True))
    report.import_rows = _erase_import_rows(_import_rows_of(digests, tickets))
    # The family update sent for their group names every member's NIK; none of its members' tickets
    # is open (a pending push holds open tickets only), so nothing reads it again.
    FamilyPush.objects.filter(group__members__ticket__in=tickets).update(
        payload_json="", last_error="", refusal={}
    )
    report.events = _free_text_events(tickets).update(message=ERASED, message_id="", message_params={})
    report.sync_jobs = SyncJob.objects.filter(ticket__in=tickets).update(payload_json="{}", last_error="")
    report.notifications = Notification.objects.filter(ticket__in=tickets).update(
        recipient_hint="", last_error="", provider_message_id=""
    )
    report.tickets = tickets.update(
        kk_number="", kk_number_old="", kk_last4="", phone="", email="", description="", outcome_note=""
    )
    report.corrections = DataCorrection.objects.filter(citizen__in=ids).update(reason=ERASED)
    report.documents = delete_documents(Document.objects.filter(ticket__in=tickets))
    report.citizens = Citizen.objects.filter(pk__in=ids).update(
        nik="", nik_last4="", phone="", email="", full_name=ERASED, birth_date=TruncYear("birth_date")
    )
    for pk in ids:  # a random digest per row: unique, and matching no NIK
        Citizen.objects.filter(pk=pk).update(nik_digest=PURGED_PREFIX + secrets.token_hex(28))
    remaining = Citizen.objects.exclude(nik_digest__startswith=PURGED_PREFIX)
    cards = list(_orphaned_cards(ids, remaining).select_for_update().values_list("pk", flat=True))
    for pk in cards:
        FamilyCard.objects.filter(pk=pk).update(
            kk_number="",
            kk_last4="",
            head_name="",
            address="",
            kk_digest=PURGED_PREFIX + secrets.token_hex(28),
        )
    report.family_cards = len(cards)
    report.family_groups = _erase_groups(_groups_left_by(tickets, remaining))
    return report


@transaction.atomic
def _purge_stale_unlinked(cutoff: dt.datetime) -> PurgeReport:
    """Erase what is tied to no citizen's ticket once old: import rows, empty groups, silent numbers."""
    OptOut.objects.filter(opted_out_at__lt=cutoff).delete()  # as old as the silent contacts
    return PurgeReport(
        import_rows=_erase_import_rows(_stale_import_rows(cutoff)),
        family_groups=_erase_groups(_stale_empty_groups(cutoff)),
        whatsapp_contacts=_stale_contacts(cutoff).delete()[1].get("whatsapp.Contact", 0),
    )


def _stale_contacts(cutoff: dt.datetime) -> QuerySet:
    """WhatsApp numbers that have not written since the cutoff (a number is no ticket's: the
    ticket's own phone is purged with it)."""
    return Contact.objects.filter(last_inbound_at__lt=cutoff)


def _count(cutoff: dt.datetime) -> PurgeReport:
    """Return what a purge would erase now, writing nothing."""
    citizens = purgeable_citizens(cutoff)
    tickets = Ticket.objects.filter(citizen__in=citizens)
    remaining = Citizen.objects.exclude(nik_digest__startswith=PURGED_PREFIX).exclude(pk__in=citizens)
    return PurgeReport(
        citizens=citizens.count(),
        tickets=tickets.count(),
        family_cards=_orphaned_cards(citizens, remaining).count(),
        events=_free_text_events(tickets).count(),
        sync_jobs=SyncJob.objects.filter(ticket__in=tickets).count(),
        notifications=Notification.objects.filter(ticket__in=tickets).count(),
        corrections=DataCorrection.objects.filter(citizen__in=citizens).count(),
        documents=Document.objects.filter(ticket__in=tickets).count(),
        import_rows=(
            _import_rows_of(citizens.values("nik_digest"), tickets) | _stale_import_rows(cutoff)
        ).count(),
        # Disjoint: the first has members, the second none.
        family_groups=_groups_left_by(tickets, remaining).count() + _stale_empty_groups(cutoff).count(),
        whatsapp_contacts=_stale_contacts(cutoff).count(),
    )
