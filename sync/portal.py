"""The second stage: after the centre shows the data, ask the portal the citizen named
(Ticket.service, tickets/portals.py) until it shows it too, or until its window has passed.

The job stays one outbox row: its state PORTAL is claimed, leased and re-driven by the sweeper like
a check (sync/services.py), and the window's end lives in the database (verified_at + window).
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sync import registry
from sync.models import SyncAttempt, SyncJob
from sync.schedule import next_portal_check_at, push_retry_delay
from sync.services import (  # the pipeline's claim/lease machinery, shared with the first stage
    _claim,
    _release,
    _unless_ticket_moved_on,
    matches,
    record_attempts,
    registry_client,
)
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.sla import portal_window
from tickets.workflow import Status

State = SyncJob.State


def enter_portal_stage(job: SyncJob, portal: str, now) -> bool:
    """Mark the centre's part done and queue the first portal check at once (inside the caller's
    transaction); False when another worker took the job over."""
    if not _release(
        job,
        state=State.PORTAL,
        portal=portal,
        verified_at=now,
        checks=F("checks") + 1,
        last_error="",
        next_attempt_at=now,
    ):
        return False
    with _unless_ticket_moved_on():
        ticket_services.mark_centre_applied(
            ticket=Ticket(pk=job.ticket_id, service=portal),
            applied_at=now,
            details={"update_id": job.update_id, "portal": portal},
        )
    return True


def check_portal_job(job_id: int, *, client: registry.RegistryClient | None = None, now=None) -> str:
    """Ask the job's portal what it shows; resolve when it shows the data or the window has passed."""
    now = now or timezone.now()
    job = _claim(job_id, State.PORTAL, now)
    if job is None:
        return "skipped"
    if job.ticket_status != Status.CENTRE_APPLIED:  # staff resolved or closed it meanwhile
        _release(job, state=State.CANCELLED)
        return "cancelled"
    seen = registry_client(client).portal_resident(job.portal, job.payload["nik"])
    record_attempts(job, (SyncAttempt.Operation.PORTAL, seen))
    window_ends_at = job.verified_at + portal_window()
    if isinstance(seen, registry.PortalView) and seen.up_to_date and matches(job.payload, seen.resident):
        _finish(job, ticket_services.mark_portal_seen)
        return "portal_seen"
    if now >= window_ends_at:
        _finish(job, ticket_services.mark_portal_window_passed)
        return "window_passed"
    if isinstance(seen, (registry.PortalView, registry.NotFound)):
        _release(
            job,
            portal_checks=F("portal_checks") + 1,
            last_error="",
            next_attempt_at=next_portal_check_at(
                applied_at=job.verified_at,
                window_ends_at=window_ends_at,
                checks_done=job.portal_checks + 1,
                now=now,
                catches_up_at=getattr(seen, "catches_up_at", None),
            ),
        )
        return "not_yet"
    retry_at = timezone.now() + push_retry_delay(1, retry_after=getattr(seen, "after_seconds", None))
    _release(
        job,
        next_attempt_at=min(retry_at, window_ends_at),
        last_error=str(getattr(seen, "reason", seen.name))[:300],
    )
    return seen.name


@transaction.atomic
def _finish(job: SyncJob, resolve) -> None:
    if not _release(job, state=State.VERIFIED, portal_checks=F("portal_checks") + 1, last_error=""):
        return
    with _unless_ticket_moved_on():
        resolve(ticket=Ticket(pk=job.ticket_id, service=job.portal), details={"portal": job.portal})
