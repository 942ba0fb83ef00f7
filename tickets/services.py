"""Every write to a ticket goes through a function here (DESIGN.md §7).

Each function changes the ticket with `update_fields`, writes its TicketEvent in the same
transaction, and leaves side effects for `transaction.on_commit`.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from citizens import nik as nikparse
from citizens.models import Citizen, FamilyCard, FamilyMembership, kk_digest
from citizens.services import correct_citizen
from core.errors import UserFacingError
from tickets.alerts import alert_staff
from tickets.blocks import Block
from tickets.models import Office, StaffAlert, Ticket, TicketEvent
from tickets.portals import portal_name, window_text
from tickets.signals import ticket_opened, ticket_status_changed
from tickets.sla import sla_delta
from tickets.texts import EventText
from tickets.workflow import Status, check_transition


class TicketError(UserFacingError):
    """A request the help desk refuses, with a message for the person who asked."""


class DuplicateOpenTicket(TicketError):
    def __init__(self, existing: Ticket):
        self.existing = existing
        super().__init__(
            _("Masih ada pengaduan terbuka untuk NIK dan kategori ini: %(code)s.")
            % {"code": existing.display_code}
        )


@dataclass(frozen=True)
class Complaint:
    """What the counter clerk typed. Numbers are already validated by citizens.nik."""

    nik: str
    full_name: str
    birth_date: date
    sex: str
    phone: str
    kk_number: str
    kk_number_old: str
    category: str
    service: str
    description: str
    deadline: date | None = None
    email: str = ""
    notify_channel: str = ""  # NotifyChannel, or "" for the office's order
    # Typed fields the clerk saved although the NIK encodes otherwise ("birth_date", "sex").
    nik_mismatches: tuple[str, ...] = ()


NIK_MISMATCH_TEXTS = {
    "birth_date": gettext_lazy("Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi."),
    "sex": gettext_lazy("Jenis kelamin pada NIK berbeda dengan yang diisi."),
}


def open_ticket(*, office: Office, created_by, complaint: Complaint) -> Ticket:
    """Open a ticket for `complaint`, creating or updating the citizen and their KK history."""
    try:
        with transaction.atomic():
            citizen, is_new = _record_citizen(complaint)
            if not is_new:  # a citizen first seen now has no ticket yet
                _refuse_duplicate(citizen, complaint.category)
                _record_identity_change(citizen, complaint, office=office, actor=created_by)
            ticket = Ticket.objects.create(
                office=office,
                citizen=citizen,
                category=complaint.category,
                service=complaint.service,
                kk_number=complaint.kk_number,
                kk_number_old=complaint.kk_number_old,
                description=nikparse.mask_nik_like(complaint.description),
                phone=complaint.phone or citizen.phone,
                email=complaint.email or citizen.email,
                deadline=complaint.deadline,
                notify_channel=complaint.notify_channel,
                whatsapp_opt_in_at=timezone.now() if complaint.notify_channel == "whatsapp" else None,
                assignee=created_by,
                created_by=created_by,
                due_at=timezone.now() + sla_delta(),
            )
            _log(
                ticket,
                actor=created_by,
                kind=TicketEvent.Kind.OPENED,
                to_status=Status.NEW,
                message=EventText(gettext_noop("Pengaduan dicatat di loket.")),
            )
            if complaint.nik_mismatches:
                _log_nik_mismatches(ticket, actor=created_by, mismatches=complaint.nik_mismatches)
            # Inside the transaction on purpose: sync writes its outbox row atomically with the
            # ticket, and nudges its worker on commit.
            ticket_opened.send(sender=Ticket, ticket=ticket)
    except IntegrityError:
        # Two clerks saved the same complaint at the same instant: the partial unique index won.
        existing = (
            Ticket.objects.open()
            .filter(citizen__in=Citizen.objects.with_nik(complaint.nik), category=complaint.category)
            .first()
        )
        if existing is None:
            raise
        raise DuplicateOpenTicket(existing) from None
    return ticket


def _log_nik_mismatches(ticket: Ticket, *, actor, mismatches: tuple[str, ...]) -> TicketEvent:
    """Record on the timeline that the ticket was saved with data the NIK disagrees with."""
    return _log(
        ticket,
        actor=actor,
        kind=TicketEvent.Kind.DATA_WARNING,
        message="\n".join(str(NIK_MISMATCH_TEXTS[field]) for field in mismatches),
        details={"nik_mismatches": list(mismatches)},
    )


def _record_citizen(complaint: Complaint) -> tuple[Citizen, bool]:
    """Create the citizen, or move a known one to the complaint's KK; return (citizen, first seen now).

    A known citizen's contact stays as it is (the ticket keeps its own) and their identity data
    changes only through `_record_identity_change`, as a recorded correction.
    """
    card, _created = FamilyCard.objects.get_or_create(
        kk_digest=kk_digest(complaint.kk_number),
        defaults={"kk_number": complaint.kk_number},
    )
    citizen = Citizen.objects.with_nik(complaint.nik).select_for_update().first()
    is_new = citizen is None
    if is_new:
        citizen = Citizen(
            nik=complaint.nik,
            full_name=complaint.full_name,
            birth_date=complaint.birth_date,
            sex=complaint.sex,
            phone=complaint.phone,
            email=complaint.email,
            family_card=card,
        )
        citizen.save()
        FamilyMembership.objects.create(citizen=citizen, family_card=card)
    else:
        if citizen.family_card_id != card.pk:
            citizen.family_card = card
            citizen.save(update_fields=["family_card", "updated_at"])
        FamilyMembership.objects.get_or_create(citizen=citizen, family_card=card)
    return citizen, is_new


IDENTITY_FIELDS = ("full_name", "birth_date", "sex")
INTAKE_CORRECTION_REASON = "Data pemohon diubah saat pencatatan pengaduan di loket."


def _record_identity_change(citizen: Citizen, complaint: Complaint, *, office: Office, actor) -> None:
    """Apply other identity data typed at intake as a correction: recorded, attributed, visible to every office."""
    changes = {name: getattr(complaint, name) for name in IDENTITY_FIELDS}
    correct_citizen(
        citizen=citizen,
        actor=actor,
        changes=changes,
        reason=INTAKE_CORRECTION_REASON,
        office_code=office.code,
        office_name=office.name,
    )
    citizen.refresh_from_db(fields=list(IDENTITY_FIELDS))


@transaction.atomic
def correct_ticket_contact(*, citizen: Citizen, actor, office_id: int | None, phone: str, email: str) -> int:
    """Give the citizen's open tickets at `office_id` (None: every office) a corrected contact.

    Called after a correction of the contact on record (subject access); returns how many tickets
    changed, each with a line on its timeline.
    """
    tickets = Ticket.objects.open().filter(citizen=citizen).select_for_update()
    if office_id is not None:
        tickets = tickets.filter(office_id=office_id)
    changed = 0
    for ticket in tickets:
        if (ticket.phone, ticket.email) == (phone, email):
            continue
        ticket.phone, ticket.email = phone, email
        ticket.save(update_fields=["phone", "email", "updated_at"])
        _log(
            ticket,
            actor=actor,
            kind=TicketEvent.Kind.NOTE,
            message=_("Kontak pemohon dikoreksi (akses subjek)."),
        )
        changed += 1
    return changed


def _refuse_duplicate(citizen: Citizen, category: str) -> None:
    existing = Ticket.objects.open().filter(citizen=citizen, category=category).first()
    if existing is not None:
        raise DuplicateOpenTicket(existing)


def _log(
    ticket: Ticket,
    *,
    actor,
    kind: str,
    message: str,
    from_status: str = "",
    to_status: str = "",
    details: dict | None = None,
) -> TicketEvent:
    """Write one line of the timeline: the one path every event takes.

    `message` is free text as a person typed it, or an EventText that the timeline renders again
    in its reader's language.
    """
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        message=message,
        message_id=getattr(message, "msgid", ""),
        message_params=getattr(message, "params", {}),
        from_status=from_status,
        to_status=to_status,
        details=details or {},
    )


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def _transition(
    ticket: Ticket, target: str, *, actor, message: str, details: dict | None = None, **fields
) -> Ticket:
    """Move `ticket` to `target` (or raise IllegalTransition) and log it; `fields` are saved too."""
    locked = _locked(ticket)
    check_transition(locked.status, target)
    previous = locked.status
    locked.status = target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "updated_at", *fields])
    _log(
        locked,
        actor=actor,
        kind=TicketEvent.Kind.STATUS,
        from_status=previous,
        to_status=target,
        message=message,
        details=details,
    )
    ticket_status_changed.send(sender=Ticket, ticket=locked, previous=previous, actor=actor)
    return locked


def add_note(*, ticket: Ticket, actor, text: str) -> TicketEvent:
    """Add an internal note to the timeline."""
    text = nikparse.mask_nik_like(text.strip())
    if not text:
        raise TicketError(_("Catatan tidak boleh kosong."))
    return _log(ticket, actor=actor, kind=TicketEvent.Kind.NOTE, message=text)


@transaction.atomic
def assign_ticket(*, ticket: Ticket, actor, assignee) -> Ticket:
    """Give `ticket` to `assignee` (a staff member of the ticket's office)."""
    locked = _locked(ticket)
    if not locked.is_open:
        raise TicketError(_("Tiket yang sudah final tidak dapat dialihkan."))
    if locked.assignee_id == assignee.pk:
        return locked
    locked.assignee = assignee
    locked.save(update_fields=["assignee", "updated_at"])
    _log(
        locked,
        actor=actor,
        kind=TicketEvent.Kind.ASSIGNED,
        message=EventText(
            gettext_noop("Ditangani oleh %(name)s."), name=assignee.get_full_name() or assignee.get_username()
        ),
        details={"assignee_id": assignee.pk},
    )
    if assignee.pk != getattr(actor, "pk", None):  # taking a ticket yourself needs no alert
        alert_staff(locked, user_id=assignee.pk, kind=StaffAlert.Kind.ASSIGNED)
    return locked


def record_notification_event(*, ticket: Ticket, message: str, details: dict | None = None) -> TicketEvent:
    """Put a message sent to the citizen (and how it went) on the timeline."""
    return _log(ticket, actor=None, kind=TicketEvent.Kind.NOTIFICATION, message=message, details=details)


def record_sync_event(*, ticket: Ticket, actor, message: str, details: dict | None = None) -> TicketEvent:
    """Put a step of the sync with the centre on the timeline (no status change)."""
    return _log(ticket, actor=actor, kind=TicketEvent.Kind.SYNC, message=message, details=details)


def record_escalation_event(
    *, ticket: Ticket, actor, message: str, details: dict | None = None
) -> TicketEvent:
    """Put a contact with the centre's personnel on the timeline (no status change)."""
    return _log(ticket, actor=actor, kind=TicketEvent.Kind.ESCALATION, message=message, details=details)


def mark_pushed(
    *, ticket: Ticket, accepted_at: datetime, sla_due_at: datetime, details: dict | None = None
) -> Ticket:
    """Record that the registry accepted the push; `sla_due_at` is the centre's 1x24 jam from now.

    The promise to the citizen (due_at) keeps counting from the counter (docs/operations.md,
    "Janji 1x24 jam"): it is not moved here.
    """
    return _transition(
        ticket,
        Status.SENT,
        actor=None,
        details=details,
        message=EventText(gettext_noop("Data diterima pusat; menunggu sinkronisasi (maks. 1x24 jam).")),
        sent_at=accepted_at,
        centre_due_at=sla_due_at,
    )


def mark_verified(*, ticket: Ticket, details: dict | None = None) -> Ticket:
    """Resolve `ticket` because the registry now shows the expected data."""
    return _transition(
        ticket,
        Status.RESOLVED,
        actor=None,
        details=details,
        message=EventText(gettext_noop("Data di pusat sudah sesuai. Pengaduan selesai.")),
        resolved_at=timezone.now(),
    )


# --- the second stage: the centre shows it, then the portal the citizen named --------------------


def mark_centre_applied(
    *, ticket: Ticket, applied_at: datetime | None = None, details: dict | None = None
) -> Ticket:
    """Record that the centre shows the expected data (as of `applied_at`, the check that saw it);
    the portal the citizen named is still to follow, within its window from then."""
    return _transition(
        ticket,
        Status.CENTRE_APPLIED,
        actor=None,
        details=details,
        message=EventText(
            gettext_noop("Selesai di pusat; %(portal)s biasanya menyusul maks. %(window)s."),
            portal=portal_name(ticket.service),
            window=window_text(),
        ),
        centre_applied_at=applied_at or timezone.now(),
    )


def mark_portal_seen(*, ticket: Ticket, details: dict | None = None) -> Ticket:
    """Resolve `ticket`: the portal the citizen named now shows the corrected data."""
    message = EventText(
        gettext_noop("Portal %(portal)s sudah menampilkan data terbaru. Pengaduan selesai."),
        portal=portal_name(ticket.service),
    )
    return _end_portal_stage(ticket, "portal_seen_at", message, details)


def mark_portal_window_passed(*, ticket: Ticket, details: dict | None = None) -> Ticket:
    """Resolve `ticket` at the end of the portal's window: the centre is right, the portal is its own."""
    message = EventText(
        gettext_noop(
            "Data di pusat sudah benar, tetapi portal %(portal)s belum menampilkannya setelah "
            "%(window)s. Pengaduan selesai; bila masih ditolak, penduduk menghubungi layanan bantuan "
            "%(portal)s."
        ),
        portal=portal_name(ticket.service),
        window=window_text(),
    )
    return _end_portal_stage(ticket, "portal_window_passed_at", message, details)


def _end_portal_stage(ticket: Ticket, stage_field: str, message: EventText, details: dict | None) -> Ticket:
    now = timezone.now()
    return _transition(
        ticket,
        Status.RESOLVED,
        actor=None,
        details=details,
        message=message,
        resolved_at=now,
        **{stage_field: now},
    )


def resolve_ticket(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """Resolve `ticket` by hand (e.g. the citizen confirmed the portal now accepts them)."""
    return _transition(
        ticket,
        Status.RESOLVED,
        actor=actor,
        message=_required(reason),
        resolved_at=timezone.now(),
        outcome_note=_required(reason),
    )


def reject_ticket(*, ticket: Ticket, actor, reason: str, details: dict | None = None) -> Ticket:
    """Reject `ticket`: the registry refused it or staff found it invalid; the citizen must bring documents."""
    return _transition(
        ticket,
        Status.REJECTED,
        actor=actor,
        message=_required(reason),
        details=details,
        closed_at=timezone.now(),
        outcome_note=_required(reason),
    )


@transaction.atomic
def escalate_ticket(*, ticket: Ticket, actor, reason: str, details: dict | None = None) -> Ticket:
    """Escalate `ticket` to central personnel (SLA passed, or pushes kept failing); alert its assignee."""
    locked = _transition(ticket, Status.ESCALATED, actor=actor, message=_required(reason), details=details)
    if locked.assignee_id and locked.assignee_id != getattr(actor, "pk", None):
        alert_staff(locked, user_id=locked.assignee_id, kind=StaffAlert.Kind.ESCALATED)
    return locked


@transaction.atomic
def mark_action_needed(
    *, ticket: Ticket, reason_code: str, message: str, details: dict | None = None
) -> Ticket:
    """Record that the centre refused for a reason only an action clears (`reason_code`: a Block).

    `message` is the timeline's line (an EventText). A ticket already waiting for an action only
    changes its block (e.g. the reactivation found a NIK ganda), with a line but no status change.
    """
    if reason_code not in Block.values:
        raise ValueError(f"not a centre block: {reason_code!r}")
    details = {"reason_code": reason_code, **(details or {})}
    locked = _locked(ticket)
    if locked.status != Status.ACTION_NEEDED:
        return _transition(
            locked,
            Status.ACTION_NEEDED,
            actor=None,
            message=message,
            details=details,
            centre_block=reason_code,
        )
    locked.centre_block = reason_code
    locked.save(update_fields=["centre_block", "updated_at"])
    _log(locked, actor=None, kind=TicketEvent.Kind.SYNC, message=message, details=details)
    return locked


def resubmit_ticket(*, ticket: Ticket, actor) -> Ticket:
    """Send a blocked ticket's data again ("Kirim ulang"): action_needed -> new, a new push follows."""
    return _transition(
        ticket,
        Status.NEW,
        actor=actor,
        message=EventText(gettext_noop("Petugas mengirim ulang data ke pusat setelah penduduk melengkapi.")),
        details={"reason_code": _locked(ticket).centre_block},
        centre_block="",
    )


def close_ticket(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """Close `ticket` without resolution (duplicate, withdrawn)."""
    return _transition(
        ticket,
        Status.CLOSED,
        actor=actor,
        message=_required(reason),
        closed_at=timezone.now(),
        outcome_note=_required(reason),
    )


def _required(text: str) -> str:
    """Return the reason a person typed (stripped, NIK-like numbers masked), or one of our EventTexts."""
    if isinstance(text, EventText):
        return text
    text = nikparse.mask_nik_like((text or "").strip())
    if not text:
        raise TicketError(_("Alasan wajib diisi."))
    return text
