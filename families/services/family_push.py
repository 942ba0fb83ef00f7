"""A family's new KK sent to the centre as one update: PUT /families/{kk} with the head and members.

When: every member's ticket was opened for the group, carries the group's new KK (category new_kk
or proactive), and has never been pushed; one member is the head of family; 2 to 30 members. At
the counter that is known when the group is saved; an import's groups grow chunk by chunk, so
their pushes wait (`assembling`) until the batch is done, and are checked when first pushed.
Otherwise the members push one by one, as any ticket does, and the group's page says why.

While the push is pending the members' SyncJobs are held (sync.held). The centre's answer moves
them all at once: accepted (each checks the family's update as its own), refused as a whole (each
ticket "Perlu tindakan" with the centre's reasons), or, after failures retrying cannot fix, split.
Claims and leases as in sync.services: two workers or a redelivered message never push twice,
and a re-push after a crash sends the same body under the same Idempotency-Key.
"""

import json
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from core import lease
from families.models import FamilyGroup, FamilyMember, FamilyPush, Relation
from families.refusals import refusal_problems
from sync import held as held_jobs
from sync import registry
from sync.schedule import push_retry_delay
from sync.services import registry_client
from tickets.models import Category
from tickets.texts import EventText

logger = logging.getLogger(__name__)
State = FamilyPush.State
FAMILY_CATEGORIES = (Category.NEW_KK, Category.PROACTIVE)
MAX_MEMBERS = 30  # the centre's limit for one family update


# --- planning ------------------------------------------------------------------------------------


def plan_counter_push(group: FamilyGroup) -> FamilyPush:
    """Decide at the counter how the group goes to the centre: as one family update, or one by one."""
    problem = split_reason(group, require_held=False)
    if problem:
        return FamilyPush.objects.create(group=group, state=State.SPLIT, last_error=problem)
    push = FamilyPush.objects.create(group=group, state=State.PENDING)
    held_jobs.hold_jobs(group.members.values_list("ticket_id", flat=True))
    transaction.on_commit(partial(_nudge, push.pk))
    return push


def assemble_import_pushes(groups, ticket_ids) -> None:
    """Give each import group its (assembling) push and hold the jobs of the tickets just opened."""
    FamilyPush.objects.bulk_create(
        [FamilyPush(group=group, state=State.ASSEMBLING) for group in groups], ignore_conflicts=True
    )
    held_jobs.hold_jobs(ticket_ids)


def start_assembled_pushes(batch) -> int:
    """Let the pushes of a finished import's groups go (the sweep publishes them)."""
    return FamilyPush.objects.filter(group__batch=batch, state=State.ASSEMBLING).update(
        state=State.PENDING, next_attempt_at=timezone.now()
    )


def split_reason(group: FamilyGroup, *, require_held: bool = True) -> str:
    """Return why the group cannot go as one family update (in words), or "" when it can."""
    members = list(FamilyMember.objects.filter(group=group).select_related("ticket"))
    if not 2 <= len(members) <= MAX_MEMBERS:
        return EventText(
            gettext_noop("Keluarga ini tidak dikirim sebagai satu KK: jumlah anggotanya %(n)s."),
            n=len(members),
        )
    if any(member.linked for member in members):
        return EventText(
            gettext_noop("Ada anggota yang tiketnya sudah terbuka sebelumnya; anggota dikirim satu per satu.")
        )
    if any(
        m.ticket.category not in FAMILY_CATEGORIES or m.ticket.kk_number != group.kk_number for m in members
    ):
        return EventText(
            gettext_noop("Tidak semua anggota mengajukan KK baru yang sama; anggota dikirim satu per satu.")
        )
    if sum(member.relation == Relation.HEAD for member in members) != 1:
        return EventText(gettext_noop("Kepala Keluarga tidak tercantum; anggota dikirim satu per satu."))
    if require_held and held_jobs.held_ticket_ids([m.ticket_id for m in members]) != {
        m.ticket_id for m in members
    }:
        return EventText(
            gettext_noop("Sebagian anggota sudah dikirim sendiri-sendiri; anggota dikirim satu per satu.")
        )
    return ""


def family_payload(group: FamilyGroup) -> dict:
    """Return the family update the centre should apply: the KK, its head and every member's NIK."""
    members = list(
        FamilyMember.objects.filter(group=group).select_related("ticket__citizen").order_by("position", "id")
    )
    head = next(member for member in members if member.relation == Relation.HEAD)
    return {
        "kk_number": group.kk_number,
        "head_nik": head.ticket.citizen.nik,
        "members": [member.ticket.citizen.nik for member in members],
        "office_code": group.office.code,
        "reference": head.ticket.code,
    }


# --- pushing -------------------------------------------------------------------------------------


def push_family(push_id: int, *, client: registry.RegistryClient | None = None, now=None) -> str:
    """Send the group's family update and act on the answer; return what happened."""
    now = now or timezone.now()
    push = _claim(push_id, now)
    if push is None:
        return "skipped"
    if not push.payload_json:
        problem = split_reason(push.group)
        if problem:
            _split(push, problem)
            return "split"
        push.payload_json = json.dumps(family_payload(push.group))
        FamilyPush.objects.filter(pk=push.pk, claimed_until=push.claimed_until).update(
            payload_json=push.payload_json
        )
    if push.attempts > settings.SYNC_MAX_PUSH_ATTEMPTS:  # crashed mid-call too often
        _split(
            push,
            EventText(
                gettext_noop("Pengiriman KK keluarga terhenti berulang kali; anggota dikirim satu per satu.")
            ),
        )
        return "split"
    outcome = registry_client(client).push_family(push.payload, idempotency_key=str(push.idempotency_key))
    _apply_outcome(push, outcome, now)
    return outcome.name


def _claim(push_id: int, now) -> FamilyPush | None:
    due = FamilyPush.objects.filter(pk=push_id, state=State.PENDING, next_attempt_at__lte=now)
    if not lease.claim(
        due, now=now, seconds=settings.SYNC_CLAIM_SECONDS, attempts=F("attempts") + 1, dispatched_at=None
    ):
        return None
    return FamilyPush.objects.select_related("group", "group__office").get(pk=push_id)


def _apply_outcome(push: FamilyPush, outcome: registry.Outcome, now) -> None:
    if isinstance(outcome, registry.Accepted):
        _accepted(push, outcome, now)
    elif isinstance(outcome, (registry.FamilyRefused, registry.Rejected)):
        _refused(push, outcome)
    elif isinstance(outcome, registry.Retry) and outcome.reason == "circuit_open":
        lease.release(
            push,
            attempts=F("attempts") - 1,
            last_error="circuit_open",
            next_attempt_at=timezone.now() + timedelta(seconds=outcome.after_seconds or 1),
        )
    elif isinstance(outcome, registry.Retry) and push.attempts < settings.SYNC_MAX_PUSH_ATTEMPTS:
        delay = push_retry_delay(push.attempts, retry_after=outcome.after_seconds)
        lease.release(push, next_attempt_at=timezone.now() + delay, last_error=outcome.reason[:300])
    else:
        logger.warning("family push %s given up: %s", push.pk, getattr(outcome, "reason", outcome.name))
        _split(
            push,
            EventText(
                gettext_noop("Pengiriman KK keluarga gagal %(n)s kali; anggota dikirim satu per satu."),
                n=push.attempts,
            ),
        )


def _member_ticket_ids(push: FamilyPush) -> list[int]:
    return list(FamilyMember.objects.filter(group_id=push.group_id).values_list("ticket_id", flat=True))


@transaction.atomic
def _accepted(push: FamilyPush, outcome: registry.Accepted, now) -> None:
    if not lease.release(
        push, state=State.ACCEPTED, update_id=outcome.update_id, accepted_at=now, last_error=""
    ):
        return
    held_jobs.accept_held(
        _member_ticket_ids(push), outcome=outcome, now=now, details={"family_push": push.pk}
    )


@transaction.atomic
def _refused(push: FamilyPush, outcome) -> None:
    refusal = {
        "code": getattr(outcome, "code", "validation_failed"),
        "detail": getattr(outcome, "detail", "") or getattr(outcome, "reason", ""),
        "members": list(getattr(outcome, "members", ())),
    }
    if not lease.release(push, state=State.REFUSED, refusal=refusal, last_error=refusal["code"]):
        return
    message = EventText(
        gettext_noop(
            "Pusat menolak pembaruan KK keluarga seluruhnya; data anggota tidak ada yang diubah. %(problems)s."
        ),
        problems="; ".join(refusal_problems(refusal)),
    )
    held_jobs.refuse_held(
        _member_ticket_ids(push),
        outcome=outcome,
        reason_code="family_refused",
        message=message,
        details={"family_push": push.pk, "centre_code": refusal["code"]},
    )


@transaction.atomic
def _split(push: FamilyPush, reason: str) -> None:
    if lease.release(push, state=State.SPLIT, last_error=str(reason)[:300]):
        held_jobs.release_held(_member_ticket_ids(push))


# --- the sweep -----------------------------------------------------------------------------------


def due_pushes(*, now=None, limit: int = 500) -> list[int]:
    """Return the ids of pending, unclaimed pushes that are due and not just published, oldest first."""
    now = now or timezone.now()
    republish_before = now - timedelta(seconds=settings.SYNC_REDISPATCH_SECONDS)
    return list(
        FamilyPush.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .filter(lease.unclaimed(now))
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=republish_before))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def mark_dispatched(push_ids: list[int], *, now=None) -> None:
    FamilyPush.objects.filter(pk__in=push_ids).update(dispatched_at=now or timezone.now())


def _nudge(push_id: int) -> None:
    from families import tasks  # tasks call these services: imported when first needed

    tasks.nudge_push(push_id)
