"""The sync pipeline's writes: create the outbox row, push, check, escalate, sweep.

Each unit of work is claimed with a conditional UPDATE (a lease in `claimed_until`) and acted on
only when exactly one row changed, so two workers, or a redelivered message, never push twice.
HTTP calls happen outside any transaction; outcomes are written in one, with the ticket's event.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from citizens.nik import parse_nik
from sync import registry
from sync.models import SyncAttempt, SyncJob
from sync.schedule import next_check_at, push_retry_delay
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.sla import sla_delta
from tickets.texts import EventText
from tickets.workflow import OPEN_STATUSES, IllegalTransition, Status

logger = logging.getLogger(__name__)
State = SyncJob.State


class StaffActionRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


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
    """Create the outbox row of a ticket opened in this very transaction (so it has none yet)."""
    return SyncJob.objects.create(ticket=ticket, **_new_job_fields(ticket))


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
    lease = now + timedelta(seconds=settings.SYNC_CLAIM_SECONDS)
    claimed = list(
        SyncJob.objects.raw(
            f"UPDATE {table} SET claimed_until = %s, dispatched_at = NULL{attempts} "
            f"WHERE id = %s AND state = %s AND next_attempt_at <= %s AND (claimed_until IS NULL OR claimed_until < %s) "
            f"RETURNING *, (SELECT status FROM {tickets} WHERE {tickets}.id = {table}.ticket_id) AS ticket_status",
            [lease, job_id, state, now, now],
        )
    )
    return claimed[0] if claimed else None


def _release(job: SyncJob, **fields) -> bool:
    """Write the outcome if we still hold the lease; False when another worker took over."""
    return (
        SyncJob.objects.filter(pk=job.pk, claimed_until=job.claimed_until).update(
            claimed_until=None, updated_at=timezone.now(), **fields
        )
        == 1
    )


def _record(job: SyncJob, *calls: tuple[str, registry.Outcome]) -> None:
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
    outcome = _api(client).push(job.payload, idempotency_key=str(job.idempotency_key))
    _record(job, (SyncAttempt.Operation.PUSH, outcome))
    _apply_push_outcome(job, outcome, now)
    return outcome.name


def _apply_push_outcome(job: SyncJob, outcome: registry.Outcome, now) -> None:
    if isinstance(outcome, registry.Accepted):
        _accepted(job, outcome, now)
    elif isinstance(outcome, registry.Rejected):
        _rejected(job, EventText(gettext_noop("Pusat menolak data: %(reason)s"), reason=outcome.reason))
    elif isinstance(outcome, registry.Retry) and outcome.reason == "circuit_open":
        # The breaker kept us from calling at all: that was no attempt, so give it back.
        _release(
            job,
            attempts=F("attempts") - 1,
            last_error="circuit_open",
            next_attempt_at=timezone.now() + timedelta(seconds=outcome.after_seconds or 1),
        )
    elif isinstance(outcome, registry.Retry):
        if job.attempts >= settings.SYNC_MAX_PUSH_ATTEMPTS:
            _give_up(
                job,
                EventText(
                    gettext_noop("Pengiriman ke pusat gagal %(n)s kali (%(reason)s)."),
                    n=job.attempts,
                    reason=outcome.reason,
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
    sla_due_at = job.sla_due_at or accepted_at + sla_delta()
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
    _move_ticket(
        job.ticket_id,
        ticket_services.mark_pushed,
        accepted_at=accepted_at,
        sla_due_at=sla_due_at,
        details={"update_id": outcome.update_id},
    )


@transaction.atomic
def _rejected(job: SyncJob, reason: str) -> None:
    if not _release(job, state=State.REJECTED, last_error=reason[:300]):
        return
    _move_ticket(job.ticket_id, ticket_services.reject_ticket, actor=None, reason=reason)


@transaction.atomic
def _give_up(job: SyncJob, reason: str) -> None:
    if not _release(job, state=State.FAILED, last_error=reason[:300]):
        return
    _move_ticket(job.ticket_id, ticket_services.escalate_ticket, actor=None, reason=reason)


def _move_ticket(ticket_id: int, step, **kwargs) -> None:
    """Take a workflow step (a tickets.services function) unless the ticket has moved on meanwhile.

    The step locks the ticket and checks the transition itself, so no lock is taken here first: a
    ticket that staff closed, or that another path already moved, raises IllegalTransition inside
    the step's savepoint and is left as it is.
    """
    try:
        step(ticket=Ticket(pk=ticket_id), **kwargs)
    except IllegalTransition:
        pass


# --- check ---------------------------------------------------------------------------------------


def check_job(job_id: int, *, client: registry.RegistryClient | None = None, now=None) -> str:
    """Ask the registry whether the update is applied and the resident now matches."""
    now = now or timezone.now()
    job = _claim(job_id, State.ACCEPTED, now)
    if job is None:
        return "skipped"
    if job.ticket_status not in OPEN_STATUSES:
        _release(job, state=State.CANCELLED)
        return "cancelled"
    api = _api(client)
    state = api.update_state(job.update_id)
    if not isinstance(state, registry.UpdateState) or state.status == "rejected":
        _record(job, (SyncAttempt.Operation.UPDATE_STATUS, state))
        return _update_not_applicable(job, state, now)
    found = api.resident(job.payload["nik"])
    _record(job, (SyncAttempt.Operation.UPDATE_STATUS, state), (SyncAttempt.Operation.RESIDENT, found))
    if isinstance(found, registry.Found) and matches(job.payload, found.resident):
        _verified(job, now)
        return "verified"
    if isinstance(found, (registry.Found, registry.NotFound)):
        _release(
            job,
            checks=F("checks") + 1,
            last_error="",
            next_attempt_at=next_check_at(
                accepted_at=job.accepted_at, sla_due_at=job.sla_due_at, checks_done=job.checks + 1, now=now
            ),
        )
        return "mismatch"
    return _check_failed(job, found, now)


def _update_not_applicable(job: SyncJob, state: registry.Outcome, now) -> str:
    """Act on an update the centre rejected, lost, or could not tell us about."""
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
def _verified(job: SyncJob, now) -> None:
    if not _release(job, state=State.VERIFIED, verified_at=now, checks=F("checks") + 1, last_error=""):
        return
    _move_ticket(job.ticket_id, ticket_services.mark_verified, details={"update_id": job.update_id})


# --- SLA and the sweeper -------------------------------------------------------------------------


def escalate_overdue(*, now=None, limit: int = 500) -> int:
    """Escalate, exactly once each, tickets whose accepted job passed its SLA unverified."""
    now = now or timezone.now()
    overdue = SyncJob.objects.filter(state=State.ACCEPTED, escalated_at__isnull=True, sla_due_at__lt=now)
    escalated = 0
    for job_id in overdue.order_by("sla_due_at").values_list("pk", flat=True)[:limit]:
        escalated += _escalate_once(job_id, now)
    return escalated


@transaction.atomic
def _escalate_once(job_id: int, now) -> int:
    if SyncJob.objects.filter(pk=job_id, escalated_at__isnull=True).update(escalated_at=now) != 1:
        return 0
    job = SyncJob.objects.get(pk=job_id)
    ticket = Ticket.objects.select_for_update().get(pk=job.ticket_id)
    if ticket.status != Status.SENT:
        return 0
    ticket_services.escalate_ticket(
        ticket=ticket,
        actor=None,
        reason=_sla_reason(job),
        details={"update_id": job.update_id, "centre_answered": not job.last_error},
    )
    return 1


def _sla_reason(job: SyncJob) -> EventText:
    """Say what the centre last told us: its data unchanged, or no answer at all (last_error is
    set when the latest check got no answer, cleared by every answer)."""
    if job.last_error:
        return EventText(
            gettext_noop(
                "Melewati SLA 1x24 jam; pusat tidak dapat dihubungi saat pengecekan terakhir, jadi belum "
                "diketahui apakah data sudah berubah. Hubungi petugas pusat."
            )
        )
    return EventText(
        gettext_noop("Melewati SLA 1x24 jam; data belum berubah di pusat. Hubungi petugas pusat.")
    )


def create_missing_jobs(*, limit: int = 500) -> int:
    """Create the outbox row of any new ticket that has none (a lost signal loses nothing)."""
    orphans = Ticket.objects.filter(status=Status.NEW, sync_job__isnull=True).select_related(
        "citizen", "office"
    )
    created = 0
    for ticket in orphans[:limit]:
        with transaction.atomic():
            ensure_job(ticket)
        created += 1
    return created


def next_step(job_id: int) -> tuple[str, float] | None:
    """Return (state, seconds until due) of an active job, or None when it has nothing left to do."""
    job = (
        SyncJob.objects.filter(pk=job_id, state__in=SyncJob.ACTIVE_STATES, claimed_until__isnull=True)
        .values("state", "next_attempt_at")
        .first()
    )
    if job is None:
        return None
    return job["state"], (job["next_attempt_at"] - timezone.now()).total_seconds()


def due_jobs(*, now=None, limit: int = 1000) -> list[tuple[int, str]]:
    """Return (job id, state) of active, unclaimed jobs whose next attempt is due, oldest first.

    Jobs the sweeper published less than SYNC_REDISPATCH_SECONDS ago and no worker has claimed
    yet are left out: their message is still queued (under a backlog, re-publishing them on every
    sweep only lengthens the queue); past that, the message is taken as lost and sent again.
    """
    now = now or timezone.now()
    republish_before = now - timedelta(seconds=settings.SYNC_REDISPATCH_SECONDS)
    return list(
        SyncJob.objects.filter(state__in=SyncJob.ACTIVE_STATES, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=republish_before))
        .order_by("next_attempt_at")
        .values_list("pk", "state")[:limit]
    )


def mark_dispatched(job_ids: list[int], *, now=None) -> None:
    """Record that the sweeper published these jobs' messages."""
    SyncJob.objects.filter(pk__in=job_ids).update(dispatched_at=now or timezone.now())


# --- the emergency channel ----------------------------------------------------------------------


def expedite_job(job_id: int, *, client: registry.RegistryClient | None = None) -> str:
    """Ask the centre to apply the job's accepted update soon, and check again shortly after."""
    job = SyncJob.objects.filter(pk=job_id, state=State.ACCEPTED).exclude(update_id="").first()
    if job is None:
        return "skipped"
    outcome = _api(client).expedite(job.update_id)
    _record(job, (SyncAttempt.Operation.EXPEDITE, outcome))
    if isinstance(outcome, registry.UpdateState):
        soon = timezone.now() + timedelta(seconds=settings.SYNC_EXPEDITE_CHECK_SECONDS)
        SyncJob.objects.filter(pk=job.pk, state=State.ACCEPTED, next_attempt_at__gt=soon).update(
            next_attempt_at=soon
        )
    return outcome.name


# --- staff actions -------------------------------------------------------------------------------


def request_check_now(*, ticket: Ticket, actor) -> SyncJob:
    """Make the job's next check due now ("Cek sekarang"); rate-limited per ticket."""
    job = _job_for_staff(ticket, "check")
    if job.state != State.ACCEPTED:
        raise StaffActionRefused(_("Tiket ini belum diterima pusat; belum ada yang bisa dicek."))
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    ticket_services.record_sync_event(
        ticket=ticket, actor=actor, message=EventText(gettext_noop("Petugas meminta cek ke pusat sekarang."))
    )
    return job


def request_repush(*, ticket: Ticket, actor) -> SyncJob:
    """Send the data to the centre again with the same Idempotency-Key ("Kirim ulang")."""
    job = _job_for_staff(ticket, "push")
    if job.state not in (State.PENDING, State.FAILED, State.ACCEPTED):
        raise StaffActionRefused(_("Data tiket ini tidak dapat dikirim ulang."))
    if job.state == State.ACCEPTED:
        raise StaffActionRefused(_("Pusat sudah menerima data ini; gunakan Cek sekarang."))
    SyncJob.objects.filter(pk=job.pk).update(state=State.PENDING, attempts=0, next_attempt_at=timezone.now())
    ticket_services.record_sync_event(
        ticket=ticket, actor=actor, message=EventText(gettext_noop("Petugas mengirim ulang data ke pusat."))
    )
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


def _api(client: registry.RegistryClient | None) -> registry.RegistryClient:
    """Return the given client (tests), or the process's shared one."""
    return client or registry.shared_client()
