"""Writes about citizens' personal data."""
from ipaddress import ip_address

from django.db import transaction

from citizens.models import Citizen, DataCorrection, PersonalDataAccess

CORRECTABLE_FIELDS = ("full_name", "birth_date", "sex", "phone", "email")


def record_access(*, citizen: Citizen, viewer, purpose: str, ip: str = "") -> PersonalDataAccess:
    """Record that `viewer` saw `citizen`'s full numbers (UU PDP: a record of processing)."""
    try:
        ip_value = str(ip_address(ip)) if ip else None
    except ValueError:
        ip_value = None
    return PersonalDataAccess.objects.create(citizen=citizen, viewer=viewer, purpose=purpose[:100],
                                             ip_address=ip_value)


@transaction.atomic
def correct_citizen(*, citizen: Citizen, actor, changes: dict, reason: str) -> DataCorrection | None:
    """Apply a correction of the citizen's own data and record which fields changed, by whom, why.

    Returns None when nothing actually changed.
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
    return DataCorrection.objects.create(citizen=locked, actor=actor, fields=sorted(changed), reason=reason.strip()[:300])
