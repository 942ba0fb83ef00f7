"""The desk's writes: recording a contact with the centre, the escalation desk's bulk actions, and
the dashboard's daily snapshot."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from citizens.nik import scrub
from core.errors import UserFacingError
from desk import centre
from desk.forms import BulkActionForm
from desk.models import DailyStatusCount
from desk.selectors import dashboard as dashboard_selectors
from desk.selectors import escalation as selectors
from notifications import services as notification_services
from sync import services as sync_services
from tickets import services
from tickets.models import Office, Ticket, TicketEvent
from tickets.texts import EventText
from tickets.workflow import OPEN_STATUSES, IllegalTransition, Status

# --- the escalation desk -------------------------------------------------------------------------


@transaction.atomic
def record_escalation_contact(*, ticket: Ticket, actor, channel: str, note: str = "") -> TicketEvent:
    """Record that `actor` contacted the centre about `ticket` through `channel`.

    A ticket still waiting for the centre (`sent`) is escalated first; an escalated one only gets
    the contact on its timeline, so contacting twice escalates once. A note that carries a NIK or
    KK number (pasted from the message) is stored masked: the timeline holds no full numbers.
    """
    if channel not in centre.Channel.values:
        raise services.TicketError(_("Saluran eskalasi tidak dikenal."))
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not locked.is_open:
        raise services.TicketError(_("Tiket sudah final; tidak perlu dieskalasi."))
    label = centre.Channel(channel).label
    if locked.status == Status.SENT:
        locked = services.escalate_ticket(
            ticket=locked,
            actor=actor,
            details={"channel": channel},
            reason=EventText(gettext_noop("Dieskalasi ke petugas pusat lewat %(channel)s."), channel=label),
        )
    note = scrub(" ".join((note or "").split()))[: centre.NOTE_MAX_LENGTH]
    if note:
        message = EventText(
            gettext_noop("Petugas pusat dihubungi lewat %(channel)s. Catatan: %(note)s"),
            channel=label,
            note=note,
        )
    else:
        message = EventText(gettext_noop("Petugas pusat dihubungi lewat %(channel)s."), channel=label)
    return services.record_escalation_event(
        ticket=locked, actor=actor, message=message, details={"channel": channel}
    )


@transaction.atomic
def send_escalation_whatsapp(*, ticket: Ticket, actor) -> TicketEvent:
    """Send the centre the escalation template through the WhatsApp channel, and record the contact
    as "Sudah dieskalasi" by WhatsApp does (escalating a ticket still waiting for the centre)."""
    event = record_escalation_contact(
        ticket=ticket,
        actor=actor,
        channel=centre.Channel.WHATSAPP,
        note=_("Dikirim lewat WhatsApp (templat) ke nomor pusat."),
    )
    notification_services.queue_centre_escalation(ticket=ticket)
    return event


@dataclass
class BulkOutcome:
    succeeded: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (display code, why)


def run_bulk_action(
    *, office, actor, tickets: list[str], action: str, assignee=None, reason: str = ""
) -> BulkOutcome:
    """Apply `action` to each of the office's `tickets` (codes) on its own; refusals are collected.

    A code that is not the office's is reported as not found and never acted on.
    """
    found = selectors.tickets_by_code(office, tickets)
    outcome = BulkOutcome()
    for code in tickets:
        ticket = found.get(code)
        if ticket is None:
            outcome.failed.append((f"{code[:5]}-{code[5:]}", _("Tiket tidak ditemukan.")))
            continue
        try:
            _apply_one(ticket, actor=actor, action=action, assignee=assignee, reason=reason)
        except UserFacingError as exc:
            outcome.failed.append((ticket.display_code, exc.message))
        except IllegalTransition as exc:
            outcome.failed.append((ticket.display_code, str(exc)))
        else:
            outcome.succeeded.append(ticket.display_code)
    return outcome


def _apply_one(ticket, *, actor, action, assignee, reason) -> None:
    if action == BulkActionForm.ASSIGN:
        services.assign_ticket(ticket=ticket, actor=actor, assignee=assignee)
    elif action == BulkActionForm.CHECK:
        sync_services.request_check_now(ticket=ticket, actor=actor)
    else:
        kind = BulkActionForm.CLOSE_LABELS[action]
        reason = EventText(gettext_noop("%(kind)s: %(reason)s"), kind=kind, reason=reason.strip())
        services.close_ticket(ticket=ticket, actor=actor, reason=reason)


# --- the dashboard -------------------------------------------------------------------------------


def record_daily_status_counts(day) -> int:
    """Record `day`'s open tickets by status for every office (the dashboard's history). Idempotent."""
    found = dashboard_selectors.open_counts_by_office_and_status()
    rows = [
        DailyStatusCount(office_id=office_id, day=day, status=status, count=found.get((office_id, status), 0))
        for office_id in Office.objects.values_list("pk", flat=True)
        for status in OPEN_STATUSES
    ]
    DailyStatusCount.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["office", "day", "status"], update_fields=["count"]
    )
    return len(rows)
