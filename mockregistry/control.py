"""Hold the run-time controls (faults and propagation behaviour) shared by all worker processes.

The environment gives the defaults; the `ControlState` row holds the overrides set through
`/_control/...`. Each process caches the merged state for MOCKREGISTRY_CONTROL_CACHE_SECONDS and
drops its cache when it writes, so a change is seen by every worker within that time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone as djtz

from mockregistry.models import ControlState
from mockregistry.services import iso

DROP_PHASES = ("before", "after")
BEHAVIOUR_CHOICES = {"propagation_model": ("lognormal", "uniform"), "unknown_nik": ("refuse", "mint")}
ERROR_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True)
class State:
    faults: dict
    behaviour: dict
    stats_since: datetime | None
    clock_offset_seconds: float = 0.0


_cache_lock = threading.Lock()
_cache: dict = {"state": None, "loaded_at": 0.0}


def current_state() -> State:
    """Return the effective controls, from this process's cache while it is fresh."""
    ttl = settings.MOCKREGISTRY_CONTROL_CACHE_SECONDS
    with _cache_lock:
        state = _cache["state"]
        if state is not None and time.monotonic() - _cache["loaded_at"] < ttl:
            return state
    state = _load_state()
    with _cache_lock:
        _cache["state"], _cache["loaded_at"] = state, time.monotonic()
    return state


def current_faults() -> dict:
    """Return the effective fault settings."""
    return current_state().faults


def current_behaviour() -> dict:
    """Return the effective propagation settings."""
    return current_state().behaviour


def registry_now() -> datetime:
    """Return the registry's clock: the wall clock plus the offset tests advance it by.

    Update fates, settling and portal lags follow it; faults, rate limits and idempotency claims
    stay on the wall clock.
    """
    return djtz.now() + timedelta(seconds=current_state().clock_offset_seconds)


def advance_clock(seconds: float, *, now: datetime) -> datetime:
    """Move the registry's clock `seconds` forward; return the new registry time."""

    def move(row):
        row.clock_offset_seconds += seconds

    _write(move, now=now)
    return registry_now()


def invalidate_cache() -> None:
    """Forget the cached state so the next read comes from the database."""
    with _cache_lock:
        _cache["state"] = None


def update_faults(changes: dict, *, now: datetime) -> tuple[dict | None, dict]:
    """Merge `changes` into the fault overrides; return the new effective faults or the errors."""
    clean, errors = clean_faults(changes, now=now)
    if errors:
        return None, errors
    _write(lambda row: row.faults.update(clean), now=now)
    return current_faults(), {}


def update_behaviour(changes: dict, *, now: datetime) -> tuple[dict | None, dict]:
    """Merge `changes` into the behaviour overrides; return the new effective behaviour or the errors."""
    clean, errors = clean_behaviour(changes, current_behaviour())
    if errors:
        return None, errors
    _write(lambda row: row.behaviour.update(clean), now=now)
    return current_behaviour(), {}


def reset_faults(*, now: datetime) -> dict:
    """Drop every fault override, back to the environment's defaults."""
    _write(lambda row: setattr(row, "faults", {}), now=now)
    return current_faults()


def reset_behaviour(*, now: datetime) -> dict:
    """Drop every behaviour override, back to the environment's defaults."""
    _write(lambda row: setattr(row, "behaviour", {}), now=now)
    return current_behaviour()


def reset_all(*, now: datetime) -> None:
    """Drop every fault and behaviour override and start a new stats period at `now`."""

    def clear(row):
        row.faults, row.behaviour, row.stats_since, row.clock_offset_seconds = {}, {}, now, 0.0

    _write(clear, now=now)


def restart_stats_period(*, now: datetime) -> None:
    """Mark `now` as the start of the counted period."""
    _write(lambda row: setattr(row, "stats_since", now), now=now)


def outage_retry_after(faults: dict, now: datetime) -> int | None:
    """Return the seconds left in the outage window if `now` is inside it, else None."""
    end = _parse_time(faults.get("outage_end"))
    if end is None or now >= end:
        return None
    start = _parse_time(faults.get("outage_start"))
    if start is not None and now < start:
        return None
    return max(1, int((end - now).total_seconds() + 0.999))


def active_fault_names(faults: dict, now: datetime) -> list[str]:
    """Name the faults that currently change answers, for /health."""
    names = []
    if faults["latency_ms"] or faults["jitter_ms"]:
        names.append("latency")
    if faults["error_rate"]:
        names.append("error_rate")
    if outage_retry_after(faults, now) is not None:
        names.append("outage")
    if faults["rate_limit_per_second"]:
        names.append("rate_limit")
    if faults["drop_rate"]:
        names.append("drop")
    return names


def clean_faults(changes: object, *, now: datetime) -> tuple[dict, dict]:
    """Validate fault fields; `outage_seconds` becomes a window starting now."""
    if not isinstance(changes, dict):
        return {}, {"body": ["expected a JSON object"]}
    clean, errors = {}, {}
    for field, value in changes.items():
        cleaner = _FAULT_CLEANERS.get(field)
        if cleaner is None:
            errors[field] = [f"unknown field; expected one of {sorted(_FAULT_CLEANERS)}"]
            continue
        try:
            clean.update(cleaner(field, value, now))
        except ValueError as exc:
            errors[field] = [str(exc)]
    return clean, errors


def clean_behaviour(changes: object, current: dict) -> tuple[dict, dict]:
    """Validate behaviour fields; the stuck and reject shares together may not exceed 1."""
    if not isinstance(changes, dict):
        return {}, {"body": ["expected a JSON object"]}
    clean, errors = {}, {}
    for field, value in changes.items():
        known = settings.MOCKREGISTRY_BEHAVIOUR_DEFAULTS
        if field not in known:
            errors[field] = [f"unknown field; expected one of {sorted(known)}"]
            continue
        if field in BEHAVIOUR_CHOICES:
            if value in BEHAVIOUR_CHOICES[field]:
                clean[field] = value
            else:
                errors[field] = [f"must be one of {list(BEHAVIOUR_CHOICES[field])}"]
            continue
        is_share = field.endswith(("_rate", "_fraction"))
        try:
            clean[field] = _number(value, maximum=1.0 if is_share else None)
        except ValueError as exc:
            errors[field] = [str(exc)]
    merged = {**current, **clean}
    if not errors and merged["stuck_rate"] + merged["reject_rate"] > 1:
        errors["stuck_rate"] = ["stuck_rate + reject_rate must not exceed 1"]
    return clean, errors


def _load_state() -> State:
    row = ControlState.objects.filter(pk=ControlState.SINGLETON_ID).first()
    faults = {**settings.MOCKREGISTRY_FAULT_DEFAULTS, **(row.faults if row else {})}
    behaviour = {**settings.MOCKREGISTRY_BEHAVIOUR_DEFAULTS, **(row.behaviour if row else {})}
    return State(
        faults=faults,
        behaviour=behaviour,
        stats_since=row.stats_since if row else None,
        clock_offset_seconds=row.clock_offset_seconds if row else 0.0,
    )


def _write(change, *, now: datetime) -> None:
    with transaction.atomic():
        row, _ = ControlState.objects.select_for_update().get_or_create(
            pk=ControlState.SINGLETON_ID, defaults={"stats_since": now, "updated_at": now}
        )
        change(row)
        row.updated_at = now
        row.save()
        # Again after commit: a read between our save and the commit may have cached the old row.
        transaction.on_commit(invalidate_cache)
    invalidate_cache()


def _number(value: object, *, maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    if value < 0 or (maximum is not None and value > maximum):
        raise ValueError(f"must be between 0 and {maximum}" if maximum is not None else "must be >= 0")
    return float(value)


def _clean_number(field, value, now):
    return {field: _number(value)}


def _clean_share(field, value, now):
    return {field: _number(value, maximum=1.0)}


def _clean_rate_limit(field, value, now):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number >= 0 (0 turns the limit off)")
    return {field: value}


def _clean_error_statuses(field, value, now):
    if not isinstance(value, list) or not value or any(v not in ERROR_STATUSES for v in value):
        raise ValueError(f"must be a non-empty list drawn from {list(ERROR_STATUSES)}")
    return {field: value}


def _clean_drop_phase(field, value, now):
    if value not in DROP_PHASES:
        raise ValueError(f"must be one of {list(DROP_PHASES)}")
    return {field: value}


def _clean_outage_time(field, value, now):
    if value is None:
        return {field: None}
    parsed = _parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError("must be an ISO-8601 date-time or null")
    return {field: iso(parsed.astimezone(UTC))}


def _clean_outage_seconds(field, value, now):
    seconds = _number(value)
    if seconds == 0:
        return {"outage_start": None, "outage_end": None}
    return {"outage_start": iso(now), "outage_end": iso(now + timedelta(seconds=seconds))}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if djtz.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


_FAULT_CLEANERS = {
    "latency_ms": _clean_number,
    "jitter_ms": _clean_number,
    "error_rate": _clean_share,
    "error_statuses": _clean_error_statuses,
    "outage_start": _clean_outage_time,
    "outage_end": _clean_outage_time,
    "outage_seconds": _clean_outage_seconds,
    "rate_limit_per_second": _clean_rate_limit,
    "drop_rate": _clean_share,
    "drop_phase": _clean_drop_phase,
}
