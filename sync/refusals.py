"""The centre's refusals that no retry clears, and the clerk's actions that clear them.

A refusal (sync.registry.Refused, or an update the centre rejected later for such a reason) puts
the ticket in "Perlu tindakan" with its block, and parks the job (state rejected) until the clerk
acts. Each action reopens the job with a fresh Idempotency-Key and payload (the centre kept no trace
of a refused push, and a rejected update is final):
- "Aktivasi" (nonaktif): the next push first asks the centre to reactivate the NIK;
- "Kirim ulang" (documents needed): the ticket goes back to Baru and is pushed again;
- "Ajukan ke pusat" (NIK ganda, blocked): the ticket is escalated to the centre's personnel and the
  push is retried every SYNC_BLOCKED_RETRY_SECONDS; the first one accepted shows they cleared it.
"""

import json
import uuid
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import UserFacingError
from documents.services import push_document_ids
from sync import registry
from sync import services as pipeline
from sync.models import SyncAttempt, SyncJob
from tickets import services as ticket_services
from tickets.blocks import CENTRE_REQUEST, CLERK_ACTION, Block, block_message
from tickets.models import Ticket
from tickets.sla import scaled
from tickets.texts import EventText
from tickets.workflow import Status

State = SyncJob.State

# The reason codes of updates the centre rejects later (GET /updates/{id}) that are blocks, not a
# verdict on the data; any other rejection (e.g. kk_tidak_sesuai) rejects the ticket as before.
BLOCK_OF_REJECTION = {
    "data_ganda": Block.NIK_DUPLICATE,
    "dokumen": Block.DOCUMENTS_REQUIRED,
    "nik_nonaktif": Block.NIK_INACTIVE,
    **{code: code for code in Block.values},
}


def block_of(code: str | None) -> str | None:
    """Return the block a refusal or rejection code stands for, or None."""
    return BLOCK_OF_REJECTION.get(code or "")


# --- the pipeline's side -------------------------------------------------------------------------


@transaction.atomic
def refused(job: SyncJob, code: str, now, *, details: dict | None = None) -> None:
    """Act on a refusal: park the job and mark the ticket, or, while the centre's personnel work on
    the same block, try again later."""
    status, current = Ticket.objects.filter(pk=job.ticket_id).values_list("status", "centre_block").get()
    if status == Status.ESCALATED and current == code:
        pipeline._release(
            job,
            state=State.PENDING,
            attempts=0,
            last_error=code,
            next_attempt_at=now + scaled(settings.SYNC_BLOCKED_RETRY_SECONDS),
        )
        return
    if not pipeline._release(job, state=State.REJECTED, last_error=code, reactivate_first=False):
        return
    with pipeline._unless_ticket_moved_on():
        ticket_services.mark_action_needed(
            ticket=Ticket(pk=job.ticket_id), reason_code=code, message=block_message(code), details=details
        )


def reactivate_first(job: SyncJob, api: registry.RegistryClient, now) -> bool:
    """Ask the centre to reactivate the job's NIK; True when done and the push may follow."""
    payload = job.payload
    outcome = api.reactivate(
        payload["nik"], office_code=payload["office_code"], reference=payload["reference"]
    )
    pipeline.record_attempts(job, (SyncAttempt.Operation.REACTIVATE, outcome))
    if isinstance(outcome, registry.Found):
        SyncJob.objects.filter(pk=job.pk).update(reactivate_first=False)
        ticket_services.record_sync_event(
            ticket=Ticket(pk=job.ticket_id),
            actor=None,
            message=EventText(gettext_noop("Pusat mengaktifkan kembali NIK; data dikirim ulang.")),
        )
        return True
    if isinstance(outcome, registry.Refused):
        refused(job, outcome.reason, now, details=refusal_details(outcome))
    else:  # a passing failure or a defect: as for a push
        pipeline._apply_push_outcome(job, outcome, now)
    return False


def refusal_details(outcome: registry.Refused) -> dict:
    """Return what the timeline keeps of a refusal (masked member NIKs only)."""
    details = {"action": outcome.action, "state": outcome.state}
    if outcome.members:
        details["members"] = list(outcome.members)
    return {name: value for name, value in details.items() if value}


# --- the clerk's actions -------------------------------------------------------------------------


class BlockActionRefused(UserFacingError):
    """A clerk's action on a blocked ticket refused, with the reason."""


@transaction.atomic
def request_reactivation(*, ticket: Ticket, actor) -> SyncJob:
    """ "Aktivasi": the clerk has seen the citizen's KTP-el; ask the centre to reactivate, then push."""
    _require_action(ticket, "reactivate")
    job = _reopen(ticket, "reactivate", reactivate=True)
    ticket_services.record_sync_event(
        ticket=ticket,
        actor=actor,
        message=EventText(gettext_noop("Petugas mengajukan aktivasi NIK ke pusat (KTP-el sudah diperiksa).")),
    )
    return job


@transaction.atomic
def request_resubmission(*, ticket: Ticket, actor) -> SyncJob:
    """ "Kirim ulang": the citizen brought what was missing; the same ticket goes to the centre again."""
    _require_action(ticket, "resubmit")
    papers_asked = ticket.centre_block == Block.DOCUMENTS_REQUIRED  # read before the resubmission clears it
    ticket_services.resubmit_ticket(ticket=ticket, actor=actor)
    payload = pipeline.payload_for(ticket)
    if papers_asked:
        payload[pipeline.DOCUMENT_IDS] = push_document_ids(ticket)
        _record_documents_sent(ticket, actor, len(payload[pipeline.DOCUMENT_IDS]))
    return _reopen(ticket, "resubmit", payload=payload)


def _record_documents_sent(ticket: Ticket, actor, count: int) -> None:
    if count:
        message = EventText(gettext_noop("Dikirim bersama %(count)s dokumen penduduk."), count=count)
    else:
        message = EventText(
            gettext_noop("Dikirim tanpa dokumen: pusat akan meminta dokumen lagi. Lampirkan KK atau KTP-el.")
        )
    ticket_services.record_sync_event(ticket=ticket, actor=actor, message=message)


@transaction.atomic
def request_centre_escalation(*, ticket: Ticket, actor) -> SyncJob:
    """ "Ajukan ke pusat": escalate a NIK ganda or blocked NIK to the centre's personnel, and keep
    pushing on a slow schedule to notice when they have cleared it."""
    _require_action(ticket, "centre_escalate")
    ticket_services.escalate_ticket(
        ticket=ticket,
        actor=actor,
        reason=EventText(
            gettext_noop("Diajukan ke pusat: %(request)s."), request=CENTRE_REQUEST[ticket.centre_block]
        ),
        details={"reason_code": ticket.centre_block},
    )
    return _reopen(ticket, "centre_escalate", delay=scaled(settings.SYNC_BLOCKED_RETRY_SECONDS))


def _require_action(ticket: Ticket, action: str) -> None:
    if ticket.status != Status.ACTION_NEEDED:
        raise BlockActionRefused(_("Tindakan ini hanya untuk tiket berstatus Perlu tindakan."))
    if CLERK_ACTION.get(ticket.centre_block) != action:
        raise BlockActionRefused(_("Tindakan ini tidak sesuai dengan hambatan tiket di pusat."))
    if action == "centre_escalate" and ticket.centre_block not in CENTRE_REQUEST:
        raise BlockActionRefused(_("Hambatan tiket ini tidak diajukan ke pusat."))


def _reopen(
    ticket: Ticket, action: str, *, reactivate: bool = False, delay=None, payload: dict | None = None
) -> SyncJob:
    """Give the parked job a fresh key and payload (`payload`, or the ticket's record now) and make its
    push due (now, or after `delay`)."""
    job = pipeline._job_for_staff(ticket, action)
    if job.state != State.REJECTED:
        raise BlockActionRefused(_("Pengiriman tiket ini masih berjalan; tunggu jawaban pusat."))
    due = timezone.now() + (delay or scaled(0))
    SyncJob.objects.filter(pk=job.pk).update(
        state=State.PENDING,
        idempotency_key=uuid.uuid4(),
        payload_json=json.dumps(payload or pipeline.payload_for(ticket)),
        reactivate_first=reactivate,
        attempts=0,
        checks=0,
        update_id="",
        accepted_at=None,
        sla_due_at=None,
        escalated_at=None,
        last_error="",
        next_attempt_at=due,
        pushing_since=timezone.now(),
    )
    if delay is None:
        transaction.on_commit(partial(pipeline._nudge, job.pk, State.PENDING))
    return job
