"""The centre's hard cases: persistent NIK states, unknown NIKs, family cards, and consumer portals.

Each refusal is an answer with a machine code (`error`) and the action it needs, never a retry:
an unknown NIK needs the citizen's documents, a NIK ganda a central deletion, a blocked NIK a KTP-el
recording, a nonaktif NIK the office's reactivation request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from mockregistry import documents
from mockregistry.logmask import mask_nik
from mockregistry.models import FamilyCard, FamilyMember, Resident, ResidentVersion
from mockregistry.services import PORTALS, STATE_CODES, STATE_REASONS, iso, resident_view

logger = logging.getLogger("mockregistry")

DOCUMENTS_REQUIRED = "documents_required"
NOT_IN_FAMILY = "not_in_family"
FAMILY_MEMBER_MISSING = "family_member_missing"
FAMILY_REFUSED = "family_refused"
STATE_ACTIONS = {
    Resident.State.DUPLICATE: "central_deletion_of_duplicate",
    Resident.State.BLOCKED: "ktp_el_recording",
    Resident.State.INACTIVE: "reactivation_at_office",
}
UNKNOWN_NIK_DETAIL = "NIK tidak dikenal di pusat: penduduk harus membawa dokumen kependudukannya ke kantor."
UNKNOWN_KK_DETAIL = "Nomor KK tidak dikenal di pusat: KK baru diterbitkan di kantor dengan dokumennya."
NOT_IN_FAMILY_DETAIL = "Penduduk ini tidak tercatat sebagai anggota KK ini di pusat."
MEMBER_MISSING_DETAIL = "Anggota KK ini di pusat tidak disebut dalam permintaan."


@dataclass(frozen=True)
class Refusal:
    """An answer the centre gives instead of accepting: status and body."""

    status: int
    body: dict = field(default_factory=dict)


def state_refusal(resident: Resident) -> Refusal | None:
    """Refuse a push for a resident in a persistent state (nothing but its specific action clears it)."""
    if resident.state == Resident.State.ACTIVE:
        return None
    return Refusal(
        422,
        {
            "error": STATE_CODES[resident.state],
            "detail": STATE_REASONS[resident.state],
            "state": resident.state,
            "action": STATE_ACTIONS[resident.state],
        },
    )


def unknown_nik_refusal(*, papers_sent: bool = False) -> Refusal:
    """Refuse a push for a NIK the centre has never recorded: it never mints one from a resync,
    only from documents that prove identity."""
    detail = documents.NO_IDENTITY_DETAIL if papers_sent else UNKNOWN_NIK_DETAIL
    return Refusal(422, {"error": DOCUMENTS_REQUIRED, "detail": detail, "action": "documents"})


def resident_push_refusal(nik: str, *, unknown_nik: str, papers: list[dict] | None = None) -> Refusal | None:
    """Tell whether a resident PUT must be refused before it is accepted (`unknown_nik`: refuse|mint).

    An unknown NIK sent with `papers` (the cleaned `documents`) that prove identity (a KK or
    KTP-el) is accepted: the resident is created when the update applies.
    """
    resident = Resident.objects.filter(nik=nik).first()
    if resident is None:
        if unknown_nik == "mint" or documents.proves_identity(papers):
            return None
        return unknown_nik_refusal(papers_sent=bool(papers))
    return state_refusal(resident)


def family_push_refusal(payload: dict) -> Refusal | None:
    """Check the whole family against the centre's card: one problem refuses all of it."""
    card = FamilyCard.objects.filter(pk=payload["kk_number"]).first()
    if card is None:
        return Refusal(422, {"error": DOCUMENTS_REQUIRED, "detail": UNKNOWN_KK_DETAIL, "action": "documents"})
    on_card = set(card.members.values_list("nik", flat=True))
    listed = payload["members"]
    residents = {r.nik: r for r in Resident.objects.filter(nik__in=listed)}
    problems = [_member_problem(nik, residents.get(nik), on_card) for nik in listed]
    problems = [p for p in problems if p is not None]
    problems += [
        {"nik": mask_nik(nik), "error": FAMILY_MEMBER_MISSING, "detail": MEMBER_MISSING_DETAIL}
        for nik in sorted(on_card - set(listed))
    ]
    if not problems:
        return None
    detail = "Pembaruan KK ditolak seluruhnya: periksa anggota yang disebut."
    return Refusal(422, {"error": FAMILY_REFUSED, "detail": detail, "members": problems})


def _member_problem(nik: str, resident: Resident | None, on_card: set[str]) -> dict | None:
    masked = mask_nik(nik)
    if resident is None:
        return {"nik": masked, "error": DOCUMENTS_REQUIRED, "detail": UNKNOWN_NIK_DETAIL}
    if nik not in on_card:
        return {"nik": masked, "error": NOT_IN_FAMILY, "detail": NOT_IN_FAMILY_DETAIL}
    refusal = state_refusal(resident)
    if refusal is not None:
        return {"nik": masked, "error": refusal.body["error"], "detail": refusal.body["detail"]}
    return None


def set_state(nik: str, state: str, *, now: datetime) -> Resident | None:
    """Put a resident in a persistent state, or clear it (the central operator's hand); None if unknown."""
    with transaction.atomic():
        resident = Resident.objects.select_for_update().filter(nik=nik).first()
        if resident is None:
            return None
        resident.state, resident.state_changed_at = state, now
        resident.save(update_fields=["state", "state_changed_at"])
    logger.info("state of NIK %s set to %s", mask_nik(nik), state)
    return resident


def reactivate(nik: str, *, now: datetime) -> tuple[Resident | None, Refusal | None]:
    """The office's reactivation request: nonaktif becomes active; other states stay and are named."""
    with transaction.atomic():
        resident = Resident.objects.select_for_update().filter(nik=nik).first()
        if resident is None:
            return None, unknown_nik_refusal()
        if resident.state in (Resident.State.DUPLICATE, Resident.State.BLOCKED):
            refusal = state_refusal(resident)
            return resident, Refusal(409, refusal.body)
        if resident.state == Resident.State.INACTIVE:
            resident.state, resident.state_changed_at = Resident.State.ACTIVE, now
            resident.save(update_fields=["state", "state_changed_at"])
            logger.info("NIK %s reactivated", mask_nik(nik))
    return resident, None


def family_view(card: FamilyCard) -> dict:
    """Return the centre's view of a family card and its members."""
    members = Resident.objects.filter(nik__in=card.members.values("nik")).order_by("birth_date", "nik")
    return {
        "kk_number": card.kk_number,
        "head_nik": card.head_nik,
        "members": [resident_view(m) for m in members],
        "updated_at": iso(card.updated_at),
    }


def upsert_families(families: list[dict], *, now: datetime) -> int:
    """Create or overwrite family cards (kk_number, head_nik, members) from cleaned records."""
    with transaction.atomic():
        for family in families:
            card, _ = FamilyCard.objects.update_or_create(
                kk_number=family["kk_number"],
                defaults={"head_nik": family["head_nik"], "updated_at": now},
                create_defaults={"head_nik": family["head_nik"], "created_at": now, "updated_at": now},
            )
            FamilyMember.objects.filter(nik__in=family["members"]).delete()
            card.members.all().delete()
            FamilyMember.objects.bulk_create([FamilyMember(card=card, nik=nik) for nik in family["members"]])
    return len(families)


def portals_view() -> dict:
    """List the consumer portals."""
    return {"portals": [{"code": code, "name": name} for code, name in PORTALS.items()]}


def portal_view(portal: str, nik: str, *, now: datetime) -> dict | None:
    """What `portal` sees for `nik` at `now`: the newest centre version its lag lets through.

    None when the portal has no copy (the centre does not know the NIK, or not long enough).
    """
    resident = Resident.objects.filter(nik=nik).first()
    if resident is None:
        return None
    versions = list(ResidentVersion.objects.filter(nik=nik).order_by("-applied_at", "-id")[:50])
    if not versions:  # never changed since it was loaded: every portal has it
        return _portal_answer(portal, resident_view(resident), as_of=resident.updated_at, catches_up_at=None)
    catches_up_at = _visible_at(versions[0], portal)
    for version in versions:
        if _visible_at(version, portal) <= now:
            up_to_date = version is versions[0]
            return _portal_answer(
                portal,
                version.data,
                as_of=version.applied_at,
                catches_up_at=None if up_to_date else catches_up_at,
            )
    return None


def _visible_at(version: ResidentVersion, portal: str) -> datetime:
    return version.applied_at + timedelta(seconds=version.portal_lags.get(portal, 0.0))


def _portal_answer(portal: str, data: dict, *, as_of: datetime, catches_up_at: datetime | None) -> dict:
    fields = ("nik", "kk_number", "full_name", "birth_date", "sex")
    return {
        "portal": portal,
        **{name: data[name] for name in fields},
        "as_of": iso(as_of),
        "up_to_date": catches_up_at is None,
        "catches_up_at": iso(catches_up_at),
    }
