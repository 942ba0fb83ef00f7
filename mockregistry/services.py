"""Every write the mock registry makes: accept an update, apply what is due, expedite, load residents.

An update's fate (when it is due, whether it is stuck or rejected) is decided once, when it is
accepted, and stored in its row. Applying is lazy: readers call `process_due_updates` before they
look, so the answer never depends on a background job being up.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from mockregistry.logmask import mask_nik
from mockregistry.models import IdempotencyRecord, RateWindow, RequestRecord, Resident, Update

logger = logging.getLogger("mockregistry")

REJECT_REASONS = {
    "data_ganda": "data ganda",
    "dokumen": "dokumen pendukung diperlukan",
    "nik_nonaktif": "NIK nonaktif",
    "kk_tidak_sesuai": "nomor KK tidak sesuai dengan data kepala keluarga",
}
# Late updates arrive after the promised time, but no later than this many propagation periods.
LATE_MAX_FACTOR = 1.5

_DIRECTIVE = re.compile(r"mock:(stuck|reject|apply|after)(?:=([\w.\-]+))?")
_rng = random.SystemRandom()
_encoder = DjangoJSONEncoder()


@dataclass(frozen=True)
class Plan:
    """What will become of an update, decided at acceptance."""

    outcome: str
    due_at: datetime | None
    reason: str = ""


class KeyNoLongerHeld(Exception):
    """The idempotency claim was taken over while this request was still working."""


def iso(moment: datetime | None) -> str | None:
    """Format a time the way every answer does (ISO-8601, UTC, milliseconds, `Z`)."""
    return None if moment is None else _encoder.default(moment)


def plan_update(behaviour: dict, reference: str, now: datetime, rng: random.Random = _rng) -> Plan:
    """Decide an update's fate from the behaviour settings, or from `mock:` directives in `reference`.

    Directives (for deterministic tests and demos): `mock:stuck`, `mock:reject[=<reason code>]`,
    `mock:apply` (neither stuck nor rejected), `mock:after=<seconds>` (exact delay; applied unless
    `mock:reject` is given too).
    """
    directives = dict(_DIRECTIVE.findall(reference))
    outcome = _directed_outcome(directives) or _drawn_outcome(behaviour, rng)
    if outcome == Update.Outcome.STUCK:
        return Plan(outcome=outcome, due_at=None)
    delay = _directed_delay(directives)
    if delay is None:
        delay = _drawn_delay(behaviour, rng)
    reason = ""
    if outcome == Update.Outcome.REJECT:
        code = directives.get("reject") or rng.choice(sorted(REJECT_REASONS))
        reason = REJECT_REASONS.get(code, code.replace("_", " "))
    return Plan(outcome=outcome, due_at=now + timedelta(seconds=delay), reason=reason)


def accept_update(*, key: str, claim_token, payload: dict, behaviour: dict, now: datetime) -> dict:
    """Store an accepted update and the answer for its key, in one transaction; return the answer.

    Raise KeyNoLongerHeld if another request took the key over meanwhile (nothing is stored then).
    """
    plan = plan_update(behaviour, payload["reference"], now)
    expected_by = now + timedelta(seconds=behaviour["propagation_seconds"])
    with transaction.atomic():
        update = Update.objects.create(
            idempotency_key=key,
            nik=payload["nik"],
            payload=payload,
            reference=payload["reference"],
            outcome=plan.outcome,
            reason=plan.reason,
            accepted_at=now,
            expected_by=expected_by,
            due_at=plan.due_at,
        )
        answer = {"update_id": str(update.id), "status": "accepted", "expected_by": iso(expected_by)}
        still_held = IdempotencyRecord.objects.filter(key=key, claim_token=claim_token, completed_at=None)
        completed = still_held.update(completed_at=now, response_status=202, response_body=answer)
        if not completed:
            raise KeyNoLongerHeld(key)
    logger.info("accepted update %s for NIK %s (%s)", update.id, mask_nik(update.nik), plan.outcome)
    return answer


def process_due_updates(*, now: datetime, nik: str | None = None) -> int:
    """Apply or reject every accepted update whose time has come (for one NIK, or all); return how many."""
    pending = Update.objects.filter(status=Update.Status.ACCEPTED, due_at__lte=now)
    if nik is not None:
        pending = pending.filter(nik=nik)
    if not pending.exists():  # most reads find nothing due: do not take write locks for them
        return 0
    settled = 0
    with transaction.atomic():
        # One global order (due time, then id) for every caller, so concurrent readers cannot deadlock;
        # they wait for each other, and the second finds the rows already settled.
        for update in pending.select_for_update().order_by("due_at", "id"):
            _settle(update)
            settled += 1
    return settled


def expedite(update_id, *, expedite_seconds: float, now: datetime) -> tuple[Update | None, bool]:
    """Bring a pending update's due time forward to now + expedite_seconds (stuck ones too).

    Return the update (None if unknown) and whether it was still pending.
    """
    with transaction.atomic():
        update = Update.objects.select_for_update().filter(pk=update_id).first()
        if update is None or update.status != Update.Status.ACCEPTED:
            return update, False
        soon = now + timedelta(seconds=expedite_seconds)
        update.due_at = soon if update.due_at is None else min(update.due_at, soon)
        update.expected_by = update.due_at
        update.expedited_at = now
        update.save(update_fields=["due_at", "expected_by", "expedited_at"])
    logger.info("expedited update %s", update.id)
    return update, True


def upsert_residents(records: list[dict], *, now: datetime) -> int:
    """Create or overwrite residents from cleaned records (nik, kk_number, full_name, birth_date, sex)."""
    with transaction.atomic():
        for record in records:
            Resident.objects.update_or_create(
                nik=record["nik"],
                defaults={**_resident_fields(record), "updated_at": now},
                create_defaults={**_resident_fields(record), "created_at": now, "updated_at": now},
            )
    return len(records)


def insert_new_residents(records: list[dict], *, now: datetime, batch_size: int = 1000) -> int:
    """Insert residents in bulk, leaving any NIK already present untouched; return how many were new."""
    before = Resident.objects.count()
    objects = [Resident(**_resident_fields(r), created_at=now, updated_at=now) for r in records]
    Resident.objects.bulk_create(objects, batch_size=batch_size, ignore_conflicts=True)
    return Resident.objects.count() - before


def delete_all_data() -> None:
    """Forget every resident, update, idempotency key and rate window (tests and demos only)."""
    with transaction.atomic():
        IdempotencyRecord.objects.all().delete()
        Update.objects.all().delete()
        Resident.objects.all().delete()
        RateWindow.objects.all().delete()
        RequestRecord.objects.all().delete()


def resident_view(resident: Resident) -> dict:
    """Return the centre's view of a resident, as the API shows it."""
    return {
        "nik": resident.nik,
        "kk_number": resident.kk_number,
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat(),
        "sex": resident.sex,
        "updated_at": iso(resident.updated_at),
    }


def update_view(update: Update) -> dict:
    """Return an update's state, as the API shows it."""
    return {
        "update_id": str(update.id),
        "nik": update.nik,
        "reference": update.reference,
        "status": update.status,
        "reason": update.reason if update.status == Update.Status.REJECTED else None,
        "accepted_at": iso(update.accepted_at),
        "expected_by": iso(update.expected_by),
        "expedited_at": iso(update.expedited_at),
        "applied_at": iso(update.processed_at) if update.status == Update.Status.APPLIED else None,
        "rejected_at": iso(update.processed_at) if update.status == Update.Status.REJECTED else None,
    }


def _settle(update: Update) -> None:
    if update.outcome == Update.Outcome.REJECT:
        update.status = Update.Status.REJECTED
        update.processed_at = update.due_at
        update.save(update_fields=["status", "processed_at"])
        logger.info("rejected update %s: %s", update.id, update.reason)
        return
    _write_resident(update.payload, at=update.due_at)
    update.status = Update.Status.APPLIED
    update.processed_at = update.due_at
    update.apply_count += 1
    update.save(update_fields=["status", "processed_at", "apply_count"])
    logger.info("applied update %s to NIK %s", update.id, mask_nik(update.nik))


_RESIDENT_UPDATE_FIELDS = ["kk_number", "full_name", "birth_date", "sex", "region_code", "updated_at"]


def _write_resident(payload: dict, *, at: datetime) -> None:
    # One INSERT ... ON CONFLICT DO UPDATE (created_at kept), not a locked read and a write.
    resident = Resident(**_resident_fields(payload), created_at=at, updated_at=at)
    Resident.objects.bulk_create(
        [resident], update_conflicts=True, unique_fields=["nik"], update_fields=_RESIDENT_UPDATE_FIELDS
    )


def _resident_fields(record: dict) -> dict:
    birth_date = record["birth_date"]
    return {
        "nik": record["nik"],
        "kk_number": record["kk_number"],
        "full_name": record["full_name"],
        "birth_date": birth_date if isinstance(birth_date, date) else date.fromisoformat(birth_date),
        "sex": record["sex"],
        "region_code": record.get("region_code") or "",
    }


def _directed_outcome(directives: dict) -> str | None:
    if "stuck" in directives:
        return Update.Outcome.STUCK
    if "reject" in directives:
        return Update.Outcome.REJECT
    if "apply" in directives or "after" in directives:
        return Update.Outcome.APPLY
    return None


def _drawn_outcome(behaviour: dict, rng: random.Random) -> str:
    draw = rng.random()
    if draw < behaviour["reject_rate"]:
        return Update.Outcome.REJECT
    if draw < behaviour["reject_rate"] + behaviour["stuck_rate"]:
        return Update.Outcome.STUCK
    return Update.Outcome.APPLY


def _directed_delay(directives: dict) -> float | None:
    raw = directives.get("after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def _drawn_delay(behaviour: dict, rng: random.Random) -> float:
    period = behaviour["propagation_seconds"]
    if rng.random() < behaviour["late_rate"]:
        return rng.uniform(period, period * LATE_MAX_FACTOR)
    return rng.uniform(period * behaviour["propagation_min_fraction"], period)
