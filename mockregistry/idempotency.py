"""Claim an Idempotency-Key for one request, or tell the caller what to answer instead.

The primary key of `IdempotencyRecord` is the key itself, so of two simultaneous requests the
database lets exactly one insert it; the other gets an IntegrityError and reads the winner's row.
The claim is committed before the work starts, which is what makes "still in flight" visible.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.db import IntegrityError, transaction
from django.utils import timezone

from mockregistry.models import IdempotencyRecord

POLL_SECONDS = 0.05


class Verdict(Enum):
    OWNED = "owned"  # this request holds the key: do the work
    REPLAY = "replayed"  # same key, same body, already answered: give the same answer
    KEY_REUSED = "idempotency_key_reused"  # same key, another body: a client defect
    IN_FLIGHT = "request_in_flight"  # same key and body, still being worked on: retry later


@dataclass(frozen=True)
class Claim:
    verdict: Verdict
    token: uuid.UUID | None = None
    response_status: int | None = None
    response_body: dict | None = None


def body_hash(payload: dict) -> str:
    """Return the SHA-256 of the payload's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(key: str, digest: str, *, wait_seconds: float, abandon_after_seconds: float) -> Claim:
    """Take the key for this request, or decide the answer a duplicate gets.

    A duplicate whose twin is still in flight waits up to `wait_seconds` for it to finish; a claim
    older than `abandon_after_seconds` belongs to a request that died and may be taken over.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        token = _try_insert(key, digest)
        if token is not None:
            return Claim(Verdict.OWNED, token=token)
        record = IdempotencyRecord.objects.filter(key=key).first()
        if record is None:
            if time.monotonic() >= deadline:
                return Claim(Verdict.IN_FLIGHT)
            continue  # the holder failed and let go of the key: try again
        if record.body_hash != digest:
            return Claim(Verdict.KEY_REUSED)
        if record.completed_at is not None:
            return Claim(
                Verdict.REPLAY, response_status=record.response_status, response_body=record.response_body
            )
        taken = _take_over_if_abandoned(record, abandon_after_seconds)
        if taken is not None:
            return Claim(Verdict.OWNED, token=taken)
        if time.monotonic() >= deadline:
            return Claim(Verdict.IN_FLIGHT)
        time.sleep(POLL_SECONDS)


def release(key: str, token: uuid.UUID) -> None:
    """Let go of a key whose work failed, so a retry can claim it afresh."""
    IdempotencyRecord.objects.filter(key=key, claim_token=token, completed_at=None).delete()


def _try_insert(key: str, digest: str) -> uuid.UUID | None:
    token = uuid.uuid4()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                key=key, body_hash=digest, claim_token=token, claimed_at=timezone.now()
            )
    except IntegrityError:
        return None
    return token


def _take_over_if_abandoned(record: IdempotencyRecord, abandon_after_seconds: float) -> uuid.UUID | None:
    now: datetime = timezone.now()
    if record.claimed_at > now - timedelta(seconds=abandon_after_seconds):
        return None
    token = uuid.uuid4()
    held_by_the_dead = IdempotencyRecord.objects.filter(
        key=record.key, claim_token=record.claim_token, completed_at=None
    )
    taken = held_by_the_dead.update(claim_token=token, claimed_at=now)
    return token if taken else None
