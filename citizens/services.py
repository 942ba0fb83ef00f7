"""Writes about citizens' personal data."""

from ipaddress import ip_address

from django.db import transaction

from audit import services as audit
from citizens import nik as nikparse
from citizens.models import Citizen, DataCorrection, PersonalDataAccess
from core.scoping import staff_office

CORRECTABLE_FIELDS = ("full_name", "birth_date", "sex", "phone", "email")


@transaction.atomic
def record_access(
    *, citizen: Citizen, viewer, purpose: str, ip: str = "", action: str = "view_full_nik", ticket=None
) -> PersonalDataAccess:
    """Record that `viewer` saw `citizen`'s full numbers (UU PDP: a record of processing).

    Writes the subject's own access list (PersonalDataAccess, shown on the subject-access page) and
    an entry of the audit trail: `action` is an audit.models.Action value, `ticket` the ticket the
    numbers were shown on, if any.
    """
    try:
        ip_value = str(ip_address(ip)) if ip else None
    except ValueError:
        ip_value = None
    access = PersonalDataAccess.objects.create(
        citizen=citizen, viewer=viewer, purpose=purpose[:100], ip_address=ip_value
    )
    if ticket is not None:
        target = {"object_type": "ticket", "object_id": ticket.code, "office": ticket.office.code}
    else:
        target = {"object_type": "citizen", "object_id": citizen.pk}
    audit.record(
        action=action,
        actor=viewer,
        ip=ip_value or "",
        **target,
        details={"purpose": purpose[:100], "citizen_id": citizen.pk},
    )
    return access


@transaction.atomic
def correct_citizen(
    *, citizen: Citizen, actor, changes: dict, reason: str, office_code: str = "", office_name: str = ""
) -> DataCorrection | None:
    """Apply a correction of the citizen's own data and record which fields changed, by whom, where, why.

    `actor` None is the system; `office_code`/`office_name` default to the actor's office. A NIK
    typed into the reason is masked. Returns None when nothing actually changed.
    """
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not correctable here: {sorted(unknown)}")
    locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return None
    for name in changed:
        setattr(locked, name, changes[name])
    locked.save()
    if not office_code:
        office = staff_office(actor)
        office_code, office_name = getattr(office, "code", ""), getattr(office, "name", "")
    correction = DataCorrection.objects.create(
        citizen=locked,
        actor=actor,
        office_code=office_code[:20],
        office_name=office_name[:150],
        fields=sorted(changed),
        reason=nikparse.mask_nik_like(reason.strip())[:300],
    )
    audit.record(
        action="correction",
        actor=actor,
        object_type="citizen",
        object_id=locked.pk,
        details={"fields": sorted(changed), "correction_id": correction.pk},
    )
    return correction
