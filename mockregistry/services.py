"""Every write the mock registry makes: accept an update, apply what is due, expedite, load residents.

An update's fate (when it is due, whether it is stuck or rejected) is decided once, when it is
accepted, and stored in its row. Applying is lazy: readers call `process_due_updates` before they
look, so the answer never depends on a background job being up.
"""

from __future__ import annotations

import logging
import math
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import NormalDist

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from mockregistry.logmask import mask_nik
from mockregistry.models import (
    FamilyCard,
    FamilyMember,
    IdempotencyRecord,
    RateWindow,
    RequestRecord,
    Resident,
    ResidentVersion,
    Update,
)

logger = logging.getLogger("mockregistry")

REJECT_REASONS = {
    "data_ganda": "data ganda",
    "dokumen": "dokumen pendukung diperlukan",
    "nik_nonaktif": "NIK nonaktif",
    "kk_tidak_sesuai": "nomor KK tidak sesuai dengan data kepala keluarga",
}
# Late updates arrive after the promised time, but no later than this many propagation periods.
LATE_MAX_FACTOR = 1.5
# Consumer portals keep their own copies, refreshed from the centre with their own lag.
PORTALS = {
    "sscasn": "SSCASN (BKN)",
    "bpjs": "BPJS Kesehatan",
    "bank": "Bank (e-KYC)",
}

_DIRECTIVE = re.compile(r"mock:(stuck|reject|apply|after)(?:=([\w.\-]+))?")
_rng = random.SystemRandom()
_encoder = DjangoJSONEncoder()


@dataclass(frozen=True)
class Plan:
    """What will become of an update, decided at acceptance."""

    outcome: str
    due_at: datetime | None
    reason: str = ""
    reason_code: str = ""


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
    reason = code = ""
    if outcome == Update.Outcome.REJECT:
        code = directives.get("reject") or rng.choice(sorted(REJECT_REASONS))
        reason = REJECT_REASONS.get(code, code.replace("_", " "))
    return Plan(outcome=outcome, due_at=now + timedelta(seconds=delay), reason=reason, reason_code=code)


def rng_for(key: str) -> random.Random:
    """Return the random source of one update: seeded by MOCKREGISTRY_RANDOM_SEED and the key, if set."""
    seed = settings.MOCKREGISTRY_RANDOM_SEED
    return random.Random(f"{seed}:{key}") if seed else _rng


def accept_update(*, key: str, claim_token, payload: dict, behaviour: dict, now: datetime) -> dict:
    """Store an accepted update and the answer for its key, in one transaction; return the answer.

    A family update (payload with `members`) is stored as one update under its head's NIK.
    Raise KeyNoLongerHeld if another request took the key over meanwhile (nothing is stored then).
    """
    plan = plan_update(behaviour, payload["reference"], now, rng_for(key))
    expected_by = now + timedelta(seconds=behaviour["propagation_seconds"])
    is_family = "members" in payload
    with transaction.atomic():
        update = Update.objects.create(
            idempotency_key=key,
            kind=Update.Kind.FAMILY if is_family else Update.Kind.RESIDENT,
            kk_number=payload["kk_number"] if is_family else "",
            nik=payload["head_nik"] if is_family else payload["nik"],
            payload=payload,
            reference=payload["reference"],
            outcome=plan.outcome,
            reason=plan.reason,
            reason_code=plan.reason_code,
            accepted_at=now,
            expected_by=expected_by,
            due_at=plan.due_at,
        )
        answer = {"update_id": str(update.id), "status": "accepted", "expected_by": iso(expected_by)}
        still_held = IdempotencyRecord.objects.filter(key=key, claim_token=claim_token, completed_at=None)
        completed = still_held.update(completed_at=now, response_status=202, response_body=answer)
        if not completed:
            raise KeyNoLongerHeld(key)
    logger.info(
        "accepted %s update %s for NIK %s (%s)", update.kind, update.id, mask_nik(update.nik), plan.outcome
    )
    return answer


def process_due_updates(*, now: datetime, nik: str | None = None) -> int:
    """Apply or reject every accepted update whose time has come (for one NIK, or all); return how many."""
    pending = Update.objects.filter(status=Update.Status.ACCEPTED, due_at__lte=now)
    if nik is not None:
        # A family update touches every member: a member's read settles their card's updates too.
        card = FamilyMember.objects.filter(nik=nik).values("card_id")
        pending = pending.filter(Q(nik=nik) | Q(kind=Update.Kind.FAMILY, kk_number__in=card))
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
            fields = {**_resident_fields(record), "state": record.get("state") or Resident.State.ACTIVE}
            Resident.objects.update_or_create(
                nik=record["nik"],
                defaults={**fields, "updated_at": now},
                create_defaults={**fields, "created_at": now, "updated_at": now},
            )
    return len(records)


def insert_new_residents(records: list[dict], *, now: datetime, batch_size: int = 1000) -> int:
    """Insert residents in bulk, leaving any NIK already present untouched; return how many were new."""
    before = Resident.objects.count()
    objects = [Resident(**_resident_fields(r), created_at=now, updated_at=now) for r in records]
    Resident.objects.bulk_create(objects, batch_size=batch_size, ignore_conflicts=True)
    return Resident.objects.count() - before


def process_due_family_updates(*, now: datetime, kk_number: str) -> int:
    """Settle the due updates of one family card; return how many."""
    heads = Update.objects.filter(kind=Update.Kind.FAMILY, kk_number=kk_number).values_list("nik", flat=True)
    return sum(process_due_updates(now=now, nik=head) for head in set(heads))


def delete_all_data() -> None:
    """Forget every resident, family, update, idempotency key and rate window (tests and demos only)."""
    with transaction.atomic():
        IdempotencyRecord.objects.all().delete()
        Update.objects.all().delete()
        ResidentVersion.objects.all().delete()
        FamilyCard.objects.all().delete()
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
        "state": resident.state,
    }


def update_view(update: Update) -> dict:
    """Return an update's state, as the API shows it."""
    return {
        "update_id": str(update.id),
        "nik": update.nik,
        "reference": update.reference,
        "status": update.status,
        "reason": update.reason if update.status == Update.Status.REJECTED else None,
        "reason_code": (update.reason_code or None) if update.status == Update.Status.REJECTED else None,
        "accepted_at": iso(update.accepted_at),
        "expected_by": iso(update.expected_by),
        "expedited_at": iso(update.expedited_at),
        "applied_at": iso(update.processed_at) if update.status == Update.Status.APPLIED else None,
        "rejected_at": iso(update.processed_at) if update.status == Update.Status.REJECTED else None,
    }


def _settle(update: Update) -> None:
    if update.outcome != Update.Outcome.REJECT:
        refusal = _state_refusal_at_settle(update)
        if refusal is not None:  # the NIK fell into a persistent state while the update waited
            update.outcome, update.reason_code, update.reason = Update.Outcome.REJECT, *refusal
    if update.outcome == Update.Outcome.REJECT:
        update.status = Update.Status.REJECTED
        update.processed_at = update.due_at
        update.save(update_fields=["status", "processed_at", "outcome", "reason", "reason_code"])
        logger.info("rejected update %s: %s", update.id, update.reason)
        return
    lags = draw_portal_lags(update)
    if update.kind == Update.Kind.FAMILY:
        _write_family(update.payload, at=update.due_at, portal_lags=lags)
    else:
        _write_resident(update.payload, at=update.due_at, portal_lags=lags)
    update.status = Update.Status.APPLIED
    update.processed_at = update.due_at
    update.apply_count += 1
    update.save(update_fields=["status", "processed_at", "apply_count"])
    logger.info("applied update %s to NIK %s", update.id, mask_nik(update.nik))


def draw_portal_lags(update: Update) -> dict:
    """Draw, once per applied update, how long each portal takes to see it (0..portal_lag_max_seconds)."""
    from mockregistry import control  # control imports this module

    maximum = control.current_behaviour()["portal_lag_max_seconds"]
    rng = rng_for(f"{update.idempotency_key}:portals")
    return {portal: rng.uniform(0, maximum) for portal in PORTALS}


def _state_refusal_at_settle(update: Update) -> tuple[str, str] | None:
    niks = update.payload["members"] if update.kind == Update.Kind.FAMILY else [update.nik]
    for resident in Resident.objects.filter(nik__in=niks).exclude(state=Resident.State.ACTIVE):
        return STATE_CODES[resident.state], STATE_REASONS[resident.state]
    return None


STATE_CODES = {
    Resident.State.DUPLICATE: "nik_duplicate",
    Resident.State.BLOCKED: "nik_blocked",
    Resident.State.INACTIVE: "nik_inactive",
}
STATE_REASONS = {
    Resident.State.DUPLICATE: "NIK ganda: rekaman biometrik ganda harus dihapus di pusat",
    Resident.State.BLOCKED: "NIK diblokir: belum ada perekaman KTP-el",
    Resident.State.INACTIVE: "NIK nonaktif: penduduk harus mengaktifkan kembali di kantor Disdukcapil",
}

_RESIDENT_UPDATE_FIELDS = ["kk_number", "full_name", "birth_date", "sex", "region_code", "updated_at"]


def _write_resident(payload: dict, *, at: datetime, portal_lags: dict) -> None:
    _keep_first_version(payload["nik"])
    # One INSERT ... ON CONFLICT DO UPDATE (created_at kept), not a locked read and a write.
    resident = Resident(**_resident_fields(payload), created_at=at, updated_at=at)
    Resident.objects.bulk_create(
        [resident], update_conflicts=True, unique_fields=["nik"], update_fields=_RESIDENT_UPDATE_FIELDS
    )
    _record_version(resident, at=at, portal_lags=portal_lags)


def _write_family(payload: dict, *, at: datetime, portal_lags: dict) -> None:
    FamilyCard.objects.filter(pk=payload["kk_number"]).update(head_nik=payload["head_nik"], updated_at=at)
    for resident in Resident.objects.filter(nik__in=payload["members"]):
        _keep_first_version(resident.nik)
        resident.kk_number, resident.updated_at = payload["kk_number"], at
        if payload.get("region_code"):
            resident.region_code = payload["region_code"]
        resident.save(update_fields=["kk_number", "region_code", "updated_at"])
        _record_version(resident, at=at, portal_lags=portal_lags)


def _keep_first_version(nik: str) -> None:
    """Before a resident's first change, keep what the portals already had (they saw it long ago)."""
    if ResidentVersion.objects.filter(nik=nik).exists():
        return
    resident = Resident.objects.filter(nik=nik).first()
    if resident is not None:
        _record_version(resident, at=resident.updated_at, portal_lags={})


def _record_version(resident: Resident, *, at: datetime, portal_lags: dict) -> None:
    data = {
        key: value for key, value in resident_view(resident).items() if key not in ("state", "updated_at")
    }
    ResidentVersion.objects.create(nik=resident.nik, data=data, applied_at=at, portal_lags=portal_lags)


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
    if behaviour["propagation_model"] == "lognormal":
        return lognormal_delay(period, behaviour, rng)
    if rng.random() < behaviour["late_rate"]:
        return rng.uniform(period, period * LATE_MAX_FACTOR)
    return rng.uniform(period * behaviour["propagation_min_fraction"], period)


def lognormal_delay(period: float, behaviour: dict, rng: random.Random) -> float:
    """Draw a delay whose median is median_fraction x P and of which tail_rate comes after P."""
    median = period * min(max(behaviour["propagation_median_fraction"], 1e-6), 1.0)
    tail = min(max(behaviour["propagation_tail_rate"], 1e-6), 0.5 - 1e-6)
    sigma = math.log(period / median) / NormalDist().inv_cdf(1 - tail) if period > 0 else 0.0
    return rng.lognormvariate(math.log(median), sigma) if median > 0 else 0.0
