"""Is the sync pipeline making progress? (DESIGN.md §8: judge workers by jobs processed.)

A worker can be up, connected and logging "reconnected" while consuming nothing, so nothing here
asks a process whether it is alive. Three facts from the outside decide instead:

- progress: every unit of work a worker does on a due job ends in a SyncAttempt row (or moves the
  job out of the due set: cancelled, failed). So "jobs have been due for longer than
  SYNC_STALL_SECONDS and the newest SyncAttempt is older than that" means nobody is working.
  A job that only just became due after a quiet hour is not a stall: it must have waited the whole
  window first. The rows live in the database (the source of truth), survive a Redis restart and
  need no change to the push/check code.
- backlog: the oldest due job has waited longer than SYNC_OLDEST_DUE_SECONDS (workers too few or
  too slow even though some progress is made).
- beat: `sync.tasks.sweep` calls `record_sweep()` at its end; no sweep for SYNC_SWEEP_STALE_SECONDS
  means beat is down (or the sweep keeps failing). The heartbeat goes to the shared cache (Redis)
  when REDIS_URL is set, otherwise to a file under VAR_DIR (`make run`: every process on one
  machine, but the local-memory cache is per process). Losing it in a Redis restart reads as
  "no sweep yet" until the next sweep, one SYNC_SWEEP_SECONDS later.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from sync.models import SyncAttempt, SyncJob

logger = logging.getLogger(__name__)

SWEEP_CACHE_KEY = "sync:health:last_sweep"
SWEEP_FILE_NAME = "sync-sweep-heartbeat"
CHECKS = ("progress", "backlog", "beat")


# --- the sweep heartbeat -------------------------------------------------------------------------


def _heartbeat_file() -> Path:
    return Path(settings.VAR_DIR) / SWEEP_FILE_NAME


def record_sweep(now: datetime | None = None) -> None:
    """Record that the sweeper just ran. Never raises: a heartbeat must not fail the sweep."""
    stamp = (now or timezone.now()).timestamp()
    try:
        if settings.REDIS_URL:
            cache.set(SWEEP_CACHE_KEY, stamp, timeout=None)
        else:
            path = _heartbeat_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            temporary.write_text(repr(stamp))
            os.replace(temporary, path)
    except Exception:  # noqa: BLE001 - the cache or disk is down; the health check will say so
        logger.warning("could not record the sweep heartbeat", exc_info=True)


def last_sweep() -> datetime | None:
    """Return when the sweeper last finished, or None if no heartbeat can be found."""
    try:
        if settings.REDIS_URL:
            stamp = cache.get(SWEEP_CACHE_KEY)
        else:
            stamp = float(_heartbeat_file().read_text())
    except (OSError, ValueError):
        return None
    if stamp is None:
        return None
    return datetime.fromtimestamp(float(stamp), tz=UTC)


# --- the pipeline's figures ----------------------------------------------------------------------


def due_jobs_queryset(now: datetime):
    """Active jobs whose next attempt is due and that no worker holds (as the sweeper sees them)."""
    return SyncJob.objects.filter(state__in=SyncJob.ACTIVE_STATES, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def due_summary(now: datetime) -> tuple[int, datetime | None]:
    """Return (number of due jobs, the earliest next_attempt_at among them) in one query."""
    figures = due_jobs_queryset(now).aggregate(n=Count("id"), oldest=Min("next_attempt_at"))
    return figures["n"], figures["oldest"]


def last_progress() -> datetime | None:
    """Return when a worker last finished a call to the registry (the newest SyncAttempt)."""
    return SyncAttempt.objects.aggregate(last=Max("created_at"))["last"]


@dataclass
class PipelineStatus:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" | "fail"
    reasons: list[str] = field(default_factory=list)
    due_jobs: int = 0
    oldest_due_seconds: float | None = None
    last_progress_seconds: float | None = None
    last_sweep_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return all(value == "ok" for value in self.checks.values())

    def as_dict(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 1)

        return {
            "status": "ok" if self.ok else "fail",
            "checks": dict(self.checks),
            "reasons": list(self.reasons),
            "due_jobs": self.due_jobs,
            "oldest_due_seconds": rounded(self.oldest_due_seconds),
            "last_progress_seconds": rounded(self.last_progress_seconds),
            "last_sweep_seconds": rounded(self.last_sweep_seconds),
        }


def _age(now: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def pipeline_status(now: datetime | None = None, *, only: tuple[str, ...] | None = None) -> PipelineStatus:
    """Judge the pipeline by its progress. `only` limits the checks (e.g. ("beat",) for beat's
    container); the figures are always filled in."""
    now = now or timezone.now()
    wanted = set(only or CHECKS)
    status = PipelineStatus()
    status.due_jobs, oldest_due = due_summary(now)
    status.oldest_due_seconds = _age(now, oldest_due)
    status.last_progress_seconds = _age(now, last_progress())
    status.last_sweep_seconds = _age(now, last_sweep())

    stall = settings.SYNC_STALL_SECONDS
    if "progress" in wanted:
        waiting_whole_window = status.oldest_due_seconds is not None and status.oldest_due_seconds >= stall
        idle_whole_window = status.last_progress_seconds is None or status.last_progress_seconds >= stall
        if waiting_whole_window and idle_whole_window:
            status.checks["progress"] = "fail"
            since = (
                "never"
                if status.last_progress_seconds is None
                else f"{status.last_progress_seconds:.0f} s ago"
            )
            status.reasons.append(
                f"stalled: {status.due_jobs} job(s) due for {status.oldest_due_seconds:.0f} s; "
                f"last registry call by a worker {since} (limit {stall} s)"
            )
        else:
            status.checks["progress"] = "ok"

    if "backlog" in wanted:
        bound = settings.SYNC_OLDEST_DUE_SECONDS
        if status.oldest_due_seconds is not None and status.oldest_due_seconds > bound:
            status.checks["backlog"] = "fail"
            status.reasons.append(
                f"backlog: the oldest due job has waited {status.oldest_due_seconds:.0f} s (limit {bound} s)"
            )
        else:
            status.checks["backlog"] = "ok"

    if "beat" in wanted:
        stale = settings.SYNC_SWEEP_STALE_SECONDS
        if status.last_sweep_seconds is None or status.last_sweep_seconds > stale:
            status.checks["beat"] = "fail"
            since = "never" if status.last_sweep_seconds is None else f"{status.last_sweep_seconds:.0f} s ago"
            status.reasons.append(f"beat: the sweeper last ran {since} (limit {stale} s)")
        else:
            status.checks["beat"] = "ok"
    return status
