"""Summarise what the registry has seen, for /_control/stats (the numbers the tests assert on)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Count

from mockregistry import control, services
from mockregistry.idempotency import Verdict
from mockregistry.models import RequestRecord, Resident, Update

DUPLICATE_KINDS = (Verdict.REPLAY.value, Verdict.KEY_REUSED.value, Verdict.IN_FLIGHT.value)


def collect_stats(*, now: datetime, by_key: bool = True) -> dict:
    """Settle what is due, then count requests (since the last reset) and the stored updates.

    Request counters cover the period since `since`; the update figures describe the data stored.
    """
    services.process_due_updates(now=control.registry_now())
    stats = {
        "since": services.iso(control.current_state().stats_since),
        **_request_counts(),
        "updates": _update_counts(),
        "residents": Resident.objects.count(),
    }
    if by_key:
        stats["updates_by_key"] = _updates_by_key()
        stats["writes_applied_by_key"] = dict(
            Update.objects.filter(apply_count__gt=0).values_list("idempotency_key", "apply_count")
        )
    return stats


def clear_request_counts(*, now: datetime) -> None:
    """Forget the counted requests and start a new period at `now`."""
    RequestRecord.objects.all().delete()
    control.restart_stats_period(now=now)


def _request_counts() -> dict:
    by_status: dict[str, int] = {}
    by_endpoint: dict[str, dict[str, int]] = defaultdict(dict)
    rows = RequestRecord.objects.values("endpoint", "status").annotate(n=Count("id"))
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_endpoint[row["endpoint"]][row["status"]] = row["n"]
    duplicates = dict(
        RequestRecord.objects.exclude(duplicate="").values_list("duplicate").annotate(n=Count("id"))
    )
    return {
        "requests_total": sum(by_status.values()),
        "requests_by_status": dict(sorted(by_status.items())),
        "requests_by_endpoint": dict(sorted(by_endpoint.items())),
        "duplicates_refused": sum(duplicates.values()),
        "duplicates_by_kind": {kind: duplicates.get(kind, 0) for kind in DUPLICATE_KINDS},
    }


def _update_counts() -> dict:
    by_status = dict(Update.objects.values_list("status").annotate(n=Count("id")))
    counts = {status: by_status.get(status, 0) for status in Update.Status.values}
    counts["total"] = sum(counts.values())
    counts["expedited"] = Update.objects.filter(expedited_at__isnull=False).count()
    return counts


def _updates_by_key() -> dict:
    return dict(Update.objects.values_list("idempotency_key").annotate(n=Count("id")))
