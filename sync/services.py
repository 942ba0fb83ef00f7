"""The sync pipeline's writes: create the outbox row, push, check, and the staff's sync actions
(the sweeper and SLA escalation are in sync/sweep.py).

Each unit of work is claimed with a conditional UPDATE (a lease in `claimed_until`) and acted on
only when exactly one row changed, so two workers, or a redelivered message, never push twice.
HTTP calls happen outside any transaction; outcomes are written in one, with the ticket's event.
Each write that leaves a next step due soon publishes it itself, once it commits.
"""

import json
import logging
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from citizens.nik import parse_nik
from core import lease
from core.errors import UserFacingError
from documents.services import documents_for_push
from sync import refusals, registry  # refusals uses this module's helpers at call time only
from sync.models import SyncAttempt, SyncJob
from sync.schedule import escalation_due_at, next_check_at, push_retry_delay
from sync.words import problem_label
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.portals import portal_of
from tickets.sla import sla_delta
from tickets.texts import EventText
from tickets.workflow import OPEN_STATUSES, IllegalTransition, Status

logger = logging.getLogger(__name__)
State = SyncJob.State


# A next step due within this long is also published with a countdown; longer waits live in the
# database only (Redis redelivers long-ETA messages after its visibility timeout): the sweeper's.
SHORT_COUNTDOWN_SECONDS = 60
# In a resubmission's payload: the documents (ids) its pushes carry, read from storage at each push.
DOCUMENT_IDS = "document_ids"


class StaffActionRefused(UserFacingError):
    """A staff sync action ("Cek sekarang", "Kirim ulang") refused, with the reason for the clerk."""


# --- the outbox row ------------------------------------------------------------------------------


def payload_for(ticket: Ticket) -> dict:
    """Return the record the centre should hold for the ticket's citizen (a snapshot)."""
    citizen = ticket.citizen
    return {
        "nik": citizen.nik,
        "kk_number": ticket.kk_number,
        "full_name": citizen.full_name,
        "birth_date": citizen.birth_date.isoformat(),
        "sex": citizen.sex,
        "region_code": parse_nik(citizen.nik).region_code,
        "office_code": ticket.office.code,
        "reference": ticket.code,
    }


def create_job(ticket: Ticket) -> SyncJob:
    """Create the outbox row of a ticket opened in this very transaction (so it has none yet), and
    publish its push once the transaction commits."""
    job = SyncJob.objects.create(ticket=ticket, **_new_job_fields(ticket))
    transaction.on_commit(partial(_nudge, job.pk, job.state))
    return job


def ensure_job(ticket: Ticket) -> SyncJob:
    """Return the ticket's outbox row, creating it if it has none (idempotent)."""
    job, _created = SyncJob.objects.get_or_create(ticket=ticket, defaults=_new_job_fields(ticket))
    return job


def _new_job_fields(ticket: Ticket) -> dict:
    return {"payload_json": json.dumps(payload_for(ticket)), "next_attempt_at": timezone.now()}


# --- claiming ------------------------------------------------------------------------------------


def _claim(job_id: int, state: str, now, *, count_attempt: bool = False) -> SyncJob | None:
    """Lease the job for this worker if it is in `state`, due and unclaimed; None otherwise.

    One statement (UPDATE ... RETURNING, which the ORM cannot write) leases the row and reads it
    back with its ticket's status as `ticket_status`: a push or check starts with one query, not
    an UPDATE, a SELECT joining the ticket, and the decryption of the ticket's numbers.
    """
    table, tickets = SyncJob._meta.db_table, Ticket._meta.db_table
    attempts = ", attempts = attempts + 1" if count_attempt else ""
    claimed = list(
        SyncJob.objects.raw(
            f"UPDATE {table} SET claimed_until = %s, dispatched_at = NULL{attempts} "
            f"WHERE id = %s AND state = %s AND next_attempt_at <= %s AND (claimed_until IS NULL OR claimed_until < %s) "
            f"RETURNING *, (SELECT status FROM {tickets} WHERE {tickets}.id = {table}.ticket_id) AS ticket_status",
            [lease.lease_until(now, settings.SYNC_CLAIM_SECONDS), job_id, state, now, now],
        )
    )
    return claimed[0] if claimed else None


def _release(job: SyncJob, **fields) -> bool:
    """Write the outcome if we still hold the lease; False when another worker took over.

    A next attempt due within SHORT_COUNTDOWN_SECONDS is published once this commits, instead of
    waiting for the sweep; the job's end (no `next_attempt_at`) publishes nothing.
    """
    if not lease.release(job, **fields):
        return False
    if "next_attempt_at" in fields:
        state = fields.get("state", job.state)
        transaction.on_commit(partial(_nudge_when_due_soon, job.pk, state, fields["next_attempt_at"]))
    return True


def _nudge_when_due_soon(job_id: int, state: str, due_at) -> None:
    seconds = (due_at - timezone.now()).total_seconds()
    if seconds <= SHORT_COUNTDOWN_SECONDS:
        _nudge(job_id, state, countdown=max(seconds, 0.01))


def _nudge(job_id: int, state: str, countdown: float | None = None) -> None:
    from sync import tasks  # tasks call these services: imported when first needed, not at load

    tasks.nudge(job_id, state, countdown=countdown)


def record_attempts(job: SyncJob, *calls: tuple[str, registry.Outcome]) -> None:
    """Write one SyncAttempt per (operation, outcome); a check's two calls go in one INSERT."""
    rows = [
        SyncAttempt(
            job=job,
            operation=operation,
            outcome=outcome.name,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            error=getattr(outcome, "reason", "") or "",
        )
        for operation, outcome in calls
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)  # bulk_create would wrap the one INSERT in a transaction
    else:
        SyncAttempt.objects.bulk_create(rows)


# --- push ----------------------------------------------------------------------------------------


def push_job(job_id: int, *, client: registry.RegistryClient | None = None, now=None) -> str:
    """Push the job's payload to the registry and act on the answer. Return what happened."""
    now = now or timezone.now()
    job = _claim(job_id, State.PENDING, now, count_attempt=True)
    if job is None:
        return "skipped"
    if job.ticket_status not in OPEN_STATUSES:
        _release(job, state=State.CANCELLED)
        return "cancelled"
    if job.attempts > settings.SYNC_MAX_PUSH_ATTEMPTS:  # crashed mid-call too often: a poison job
        _give_up(job, EventText(gettext_noop("Pengiriman ke pusat terhenti berulang kali.")))
        return "failed"
    api = registry_client(client)
    if job.reactivate_first and not refusals.reactivate_first(job, api, now):
        return "reactivation"
    payload = job.payload
    document_ids = payload.pop(DOCUMENT_IDS, None)  # a resubmission the centre asked papers for
    documents = documents_for_push(job.ticket, document_ids) if document_ids else None
    outcome = api.push(payload, idempotency_key=str(job.idempotency_key), documents=documents)
    record_attempts(job, (SyncAttempt.Operation.PUSH, outcome))
    _apply_push_outcome(job, outcome, now)
    return outcome.name


def _apply_push_outcome(job: SyncJob, outcome: registry.Outcome, now) -> None:
    if isinstance(outcome, registry.Accepted):
        _accepted(job, outcome, now)
    elif isinstance(outcome, registry.Refused):
        refusals.refused(job, outcome.reason, now, details=refusals.refusal_details(outcome))
    elif isinstance(outcome, registry.Rejected):
        _rejected(job, EventText(gettext_noop("Pusat menolak data: %(reason)s"), reason=outcome.reason))
    elif isinstance(outcome, registry.Retry) and (
        outcome.reason == "circuit_open" or outcome.status_code == 429
    ):
        # Our breaker kept us from calling, or the centre asked us to slow down without looking at
        # the data: neither was an attempt at the push, so it is given back and a busy centre never
        # makes a push fail (the accept deadline still escalates a ticket it keeps refusing).
        wait = (
            timedelta(seconds=outcome.after_seconds or 1)
            if outcome.reason == "circuit_open"
            else push_retry_delay(job.attempts, retry_after=outcome.after_seconds)
        )
        _release(
            job,
            attempts=F("attempts") - 1,
            last_error=outcome.reason[:300],
            next_attempt_at=timezone.now() + wait,
        )
    elif isinstance(outcome, registry.Retry):
        if job.attempts >= settings.SYNC_MAX_PUSH_ATTEMPTS:
            _give_up(
                job,
                EventText(
                    gettext_noop("Pengiriman ke pusat gagal %(n)s kali (%(reason)s)."),
                    n=job.attempts,
                    reason=problem_label(outcome.reason),
                ),
            )
        else:
            delay = push_retry_delay(job.attempts, retry_after=outcome.after_seconds)
            # Counted from the answer, not from the claim: Retry-After is relative to the response.
            _release(job, next_attempt_at=timezone.now() + delay, last_error=outcome.reason[:300])
    else:
        logger.error("registry push defect for job %s: %s", job.pk, getattr(outcome, "reason", outcome.name))
        _give_up(
            job,
            EventText(
                gettext_noop("Kesalahan sistem saat mengirim ke pusat (%(reason)s)."),
                reason=getattr(outcome, "reason", outcome.name),
            ),
        )


@transaction.atomic
def _accepted(job: SyncJob, outcome: registry.Accepted, now) -> None:
    accepted_at = job.accepted_at or now
    promised_at = Ticket.objects.filter(pk=job.ticket_id).values_list("due_at", flat=True).get()
    sla_due_at = job.sla_due_at or escalation_due_at(promised_at=promised_at, accepted_at=accepted_at)
    first_check = next_check_at(
        accepted_at=accepted_at, sla_due_at=sla_due_at, checks_done=job.checks, now=now
    )
    if not _release(
        job,
        state=State.ACCEPTED,
        update_id=outcome.update_id,
        accepted_at=accepted_at,
        sla_due_at=sla_due_at,
        next_attempt_at=first_check,
        last_error="",
    ):
        return
    if job.ticket_status == Status.ESCALATED:  # the centre's personnel cleared it, or it came late
        ticket_services.record_sync_event(
            ticket=Ticket(pk=job.ticket_id),
            actor=None,
            message=EventText(gettext_noop("Data akhirnya diterima pusat; menunggu sinkronisasi.")),
            details={"update_id": outcome.update_id},
        )
        return
    with _unless_ticket_moved_on():
        ticket_services.mark_pushed(
            ticket=Ticket(pk=job.ticket_id),
            accepted_at=accepted_at,
            sla_due_at=accepted_at + sla_delta(),
            details={"update_id": outcome.update_id},
        )


@transaction.atomic
def _rejected(job: SyncJob, reason: str) -> None:
    if not _release(job, state=State.REJECTED, last_error=reason[:300]):
        return
    with _unless_ticket_moved_on():
        ticket_services.reject_ticket(ticket=Ticket(pk=job.ticket_id), actor=None, reason=reason)


@transaction.atomic
def _give_up(job: SyncJob, reason: str) -> None:
    if not _release(job, state=State.FAILED, last_error=reason[:300]):
        return
    with _unless_ticket_moved_on():
        ticket_services.escalate_ticket(ticket=Ticket(pk=job.ticket_id), actor=None, reason=reason)


@contextmanager
def _unless_ticket_moved_on():
    """Let a workflow step (a tickets.services function) do nothing if the ticket moved on meanwhile.

    The step locks the ticket and checks the transition itself, so no lock is taken here first: a
    ticket that staff closed, or that another path already moved, raises IllegalTransition inside
    the step's savepoint and is left as it is.
    """
    try:
        yield
    except IllegalTransition:
        pass


# --- check ---------------------------------------------------------------------------------------


def check_job(job_id: int, *, client: registry.RegistryClient | None = None, now=None) -> str:
    """Ask the registry whether the update is applied and, once it is, whether the resident matches."""
    now = now or timezone.now()
    job = _claim(job_id, State.ACCEPTED, now)
    if job is None:
        return "skipped"
    if job.ticket_status not in OPEN_STATUSES:
        _release(job, state=State.CANCELLED)
        return "cancelled"
    api = registry_client(client)
    state = api.update_state(job.update_id)
    if not isinstance(state, registry.UpdateState) or state.status == "rejected":
        record_attempts(job, (SyncAttempt.Operation.UPDATE_STATUS, state))
        return _update_not_applicable(job, state, now)
    if state.status != "applied" and job.sla_due_at and now < job.sla_due_at:
        # Until the centre applies the update its view is the old one; asking for it would be a
        # wasted call. Past the SLA, central personnel may fix the data by hand outside our update,
        # so from then on every check asks for the resident too.
        record_attempts(job, (SyncAttempt.Operation.UPDATE_STATUS, state))
        return _not_yet(job, now, "not_applied")
    found = api.resident(job.payload["nik"])
    record_attempts(
        job, (SyncAttempt.Operation.UPDATE_STATUS, state), (SyncAttempt.Operation.RESIDENT, found)
    )
    if isinstance(found, registry.Found) and matches(job.payload, found.resident):
        return _verified(job, now)
    if isinstance(found, (registry.Found, registry.NotFound)):
        return _not_yet(job, now, "mismatch")
    return _check_failed(job, found, now)


def _not_yet(job: SyncJob, now, result: str) -> str:
    """Count an answered check that did not show the data, and plan the next one."""
    _release(
        job,
        checks=F("checks") + 1,
        last_error="",
        next_attempt_at=next_check_at(
            accepted_at=job.accepted_at, sla_due_at=job.sla_due_at, checks_done=job.checks + 1, now=now
        ),
    )
    return result


def _update_not_applicable(job: SyncJob, state: registry.Outcome, now) -> str:
    """Act on an update the centre rejected, lost, or could not tell us about."""
    if isinstance(state, registry.UpdateState) and refusals.block_of(state.reason_code):
        refusals.refused(job, refusals.block_of(state.reason_code), now, details={"update_id": job.update_id})
        return "refused"
    if isinstance(state, registry.UpdateState):  # rejected
        _rejected(
            job, EventText(gettext_noop("Pusat menolak pembaruan: %(reason)s"), reason=state.reason or "-")
        )
        return "rejected"
    if isinstance(state, registry.NotFound):  # the centre lost our update: push it again
        _release(job, state=State.PENDING, next_attempt_at=now)
        return "repush"
    return _check_failed(job, state, now)


def _check_failed(job: SyncJob, outcome: registry.Outcome, now) -> str:
    retry_after = getattr(outcome, "after_seconds", None)
    _release(
        job,
        next_attempt_at=timezone.now() + push_retry_delay(1, retry_after=retry_after),
        last_error=str(getattr(outcome, "reason", outcome.name))[:300],
    )
    return outcome.name


def matches(expected: dict, found: dict) -> bool:
    """Return True when the centre shows the NIK with the expected KK, name and birth date."""

    def name(value) -> str:
        return " ".join(str(value or "").split()).casefold()

    return (
        found.get("nik") == expected["nik"]
        and found.get("kk_number") == expected["kk_number"]
        and name(found.get("full_name")) == name(expected["full_name"])
        and str(found.get("birth_date")) == expected["birth_date"]
    )


@transaction.atomic
def _verified(job: SyncJob, now) -> str:
    """The centre shows the data: on to the portal the citizen named, or resolved when it has none."""
    portal = portal_of(Ticket.objects.filter(pk=job.ticket_id).values_list("service", flat=True).get())
    if portal:
        from sync.portal import enter_portal_stage  # the portal stage builds on this module

        enter_portal_stage(job, portal, now)
        return "centre_applied"
    if not _release(job, state=State.VERIFIED, verified_at=now, checks=F("checks") + 1, last_error=""):
        return "verified"
    with _unless_ticket_moved_on():
        ticket_services.mark_verified(ticket=Ticket(pk=job.ticket_id), details={"update_id": job.update_id})
    return "verified"


# --- staff actions -------------------------------------------------------------------------------


def request_check_now(*, ticket: Ticket, actor) -> SyncJob:
    """Make the job's next check due now ("Cek sekarang"); rate-limited per ticket."""
    job = _job_for_staff(ticket, "check")
    if job.state not in (State.ACCEPTED, State.PORTAL):
        raise StaffActionRefused(_("Tiket ini belum diterima pusat; belum ada yang bisa dicek."))
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    ticket_services.record_sync_event(
        ticket=ticket, actor=actor, message=EventText(gettext_noop("Petugas meminta cek ke pusat sekarang."))
    )
    transaction.on_commit(partial(_nudge, job.pk, job.state))
    return job


def request_repush(*, ticket: Ticket, actor) -> SyncJob:
    """Send the data to the centre again with the same Idempotency-Key ("Kirim ulang")."""
    job = _job_for_staff(ticket, "push")
    if job.state == State.HELD:
        raise StaffActionRefused(
            _("Data tiket ini dikirim bersama KK keluarganya; lihat halaman pengaduan keluarga.")
        )
    if job.state not in (State.PENDING, State.FAILED, State.ACCEPTED):
        raise StaffActionRefused(_("Data tiket ini tidak dapat dikirim ulang."))
    if job.state == State.ACCEPTED:
        raise StaffActionRefused(_("Pusat sudah menerima data ini; gunakan Cek sekarang."))
    SyncJob.objects.filter(pk=job.pk).update(state=State.PENDING, attempts=0, next_attempt_at=timezone.now())
    ticket_services.record_sync_event(
        ticket=ticket, actor=actor, message=EventText(gettext_noop("Petugas mengirim ulang data ke pusat."))
    )
    transaction.on_commit(partial(_nudge, job.pk, State.PENDING))
    return job


def _job_for_staff(ticket: Ticket, action: str) -> SyncJob:
    if not ticket.is_open:
        raise StaffActionRefused(_("Tiket sudah final."))
    job = SyncJob.objects.filter(ticket=ticket).first()
    if job is None:
        raise StaffActionRefused(_("Tiket ini belum masuk antrian kirim; coba lagi sebentar."))
    cooldown = settings.SYNC_STAFF_ACTION_COOLDOWN_SECONDS
    if not cache.add(f"sync:staff:{action}:{ticket.pk}", 1, timeout=cooldown):
        raise StaffActionRefused(_("Tunggu %(n)s detik sebelum mengulang tindakan ini.") % {"n": cooldown})
    return job


def registry_client(client: registry.RegistryClient | None) -> registry.RegistryClient:
    """Return the given client (tests), or the process's shared one."""
    return client or registry.shared_client()
