"""Jobs held for a batch: several tickets' data sent to the centre in one call (a family's KK update).

The batch's owner (families, which may import sync; sync never imports it) holds the jobs while it
plans the call, so they do nothing on their own: `push_job` claims pending jobs only and the sweeper
re-drives active ones only. It then reports the call's outcome here, and each job moves on:
- accepted: the job carries the batch's update id and is checked on its own, exactly as a job
  accepted after its own push (the check asks for that update and reads the resident);
- refused: no retry clears it, so each ticket goes to "Perlu tindakan" with the centre's reason;
- released: the batch is not sent after all, so each job is pushed on its own, now.
Every function acts only on jobs still held, so a repeat (a redelivered task) changes nothing.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone

from core import lease
from sync import registry
from sync.models import SyncAttempt, SyncJob
from sync.schedule import next_check_at
from sync.services import _nudge, _nudge_when_due_soon, _unless_ticket_moved_on, record_attempts
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.sla import sla_delta

State = SyncJob.State


@transaction.atomic
def hold_jobs(ticket_ids, *, now=None) -> set[int]:
    """Hold the jobs of these tickets that were never pushed; return the ids of the tickets held.

    A job a worker holds, or that has been pushed already, is left to go its own way.
    """
    now = now or timezone.now()
    jobs = (
        SyncJob.objects.select_for_update()
        .filter(ticket_id__in=list(ticket_ids), state=State.PENDING, attempts=0, update_id="")
        .filter(lease.unclaimed(now))
    )
    held = dict(jobs.values_list("pk", "ticket_id"))
    SyncJob.objects.filter(pk__in=held).update(state=State.HELD, dispatched_at=None)
    return set(held.values())


def held_ticket_ids(ticket_ids) -> set[int]:
    """Return which of these tickets have their job held."""
    jobs = SyncJob.objects.filter(ticket_id__in=list(ticket_ids), state=State.HELD)
    return set(jobs.values_list("ticket_id", flat=True))


@transaction.atomic
def release_held(ticket_ids, *, now=None) -> int:
    """Let the held jobs of these tickets push on their own, now; return how many."""
    now = now or timezone.now()
    job_ids = list(_locked_held(ticket_ids).values_list("pk", flat=True))
    SyncJob.objects.filter(pk__in=job_ids).update(state=State.PENDING, next_attempt_at=now)
    for job_id in job_ids:
        transaction.on_commit(partial(_nudge, job_id, State.PENDING))
    return len(job_ids)


@transaction.atomic
def accept_held(ticket_ids, *, outcome: registry.Accepted, now=None, details: dict | None = None) -> int:
    """Mark the held jobs accepted under the batch's update (the 1x24 jam clock starts now)."""
    now = now or timezone.now()
    sla_due_at = now + sla_delta()
    first_check = next_check_at(accepted_at=now, sla_due_at=sla_due_at, checks_done=0, now=now)
    jobs = list(_locked_held(ticket_ids))
    SyncJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
        state=State.ACCEPTED,
        update_id=outcome.update_id,
        accepted_at=now,
        sla_due_at=sla_due_at,
        next_attempt_at=first_check,
        last_error="",
    )
    for job in jobs:
        record_attempts(job, (SyncAttempt.Operation.PUSH, outcome))
        with _unless_ticket_moved_on():
            ticket_services.mark_pushed(
                ticket=Ticket(pk=job.ticket_id),
                accepted_at=now,
                sla_due_at=sla_due_at,
                details={"update_id": outcome.update_id, **(details or {})},
            )
        transaction.on_commit(partial(_nudge_when_due_soon, job.pk, State.ACCEPTED, first_check))
    return len(jobs)


@transaction.atomic
def refuse_held(
    ticket_ids, *, outcome: registry.Outcome, reason_code: str, message: str, details: dict | None = None
) -> int:
    """End the held jobs as refused and put each ticket in "Perlu tindakan" with `message`."""
    jobs = list(_locked_held(ticket_ids))
    SyncJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
        state=State.REJECTED, last_error=str(message)[:300]
    )
    for job in jobs:
        record_attempts(job, (SyncAttempt.Operation.PUSH, outcome))
        with _unless_ticket_moved_on():
            ticket_services.mark_action_needed(
                ticket=Ticket(pk=job.ticket_id), reason_code=reason_code, message=message, details=details
            )
    return len(jobs)


def _locked_held(ticket_ids):
    return (
        SyncJob.objects.select_for_update()
        .filter(ticket_id__in=list(ticket_ids), state=State.HELD)
        .order_by("pk")
    )
