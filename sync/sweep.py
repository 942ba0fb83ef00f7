"""The sync pipeline's periodic side: SLA escalation, the sweeper's reads and writes, and the
emergency channel (expedite) that follows an escalation."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from core import lease
from sync import registry
from sync.models import SyncAttempt, SyncJob
from sync.services import ensure_job, record_attempts, registry_client
from sync.words import problem_label
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.sla import scaled
from tickets.texts import EventText
from tickets.workflow import Status

State = SyncJob.State


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


def escalate_unaccepted(*, now=None, limit: int = 500) -> int:
    """Escalate, once each, new tickets the centre has not accepted SYNC_ACCEPT_DEADLINE_SECONDS
    after the counter saved (or the clerk resubmitted) them, their pushes still retrying."""
    now = now or timezone.now()
    deadline = now - scaled(settings.SYNC_ACCEPT_DEADLINE_SECONDS)
    late = SyncJob.objects.filter(state=State.PENDING, pushing_since__lt=deadline, ticket__status=Status.NEW)
    escalated = 0
    for ticket_id in late.order_by("pushing_since").values_list("ticket_id", flat=True)[:limit]:
        escalated += _escalate_unaccepted(ticket_id)
    return escalated


@transaction.atomic
def _escalate_unaccepted(ticket_id: int) -> int:
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if ticket.status != Status.NEW:
        return 0
    last_error = SyncJob.objects.filter(ticket=ticket).values_list("last_error", flat=True).first() or ""
    ticket_services.escalate_ticket(
        ticket=ticket,
        actor=None,
        reason=EventText(
            gettext_noop(
                "Data belum diterima pusat %(hours)s jam setelah dicatat di loket (kendala terakhir: "
                "%(problem)s). Hubungi petugas pusat."
            ),
            hours=f"{settings.SYNC_ACCEPT_DEADLINE_SECONDS / 3600:g}",
            problem=problem_label(last_error) if last_error else _NO_ANSWER_YET,
        ),
        details={"accept_deadline": True, "last_error": last_error},
    )
    return 1


_NO_ANSWER_YET = gettext_lazy("belum ada jawaban dari pusat")


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
        .filter(lease.unclaimed(now))
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
    outcome = registry_client(client).expedite(job.update_id)
    record_attempts(job, (SyncAttempt.Operation.EXPEDITE, outcome))
    if isinstance(outcome, registry.UpdateState):
        soon = timezone.now() + timedelta(seconds=settings.SYNC_EXPEDITE_CHECK_SECONDS)
        SyncJob.objects.filter(pk=job.pk, state=State.ACCEPTED, next_attempt_at__gt=soon).update(
            next_attempt_at=soon
        )
    return outcome.name
