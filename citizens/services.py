"""Writes about citizens' personal data."""
from ipaddress import ip_address

from citizens.models import Citizen, PersonalDataAccess


def record_access(*, citizen: Citizen, viewer, purpose: str, ip: str = "") -> PersonalDataAccess:
    """Record that `viewer` saw `citizen`'s full numbers (UU PDP: a record of processing)."""
    try:
        ip_value = str(ip_address(ip)) if ip else None
    except ValueError:
        ip_value = None
    return PersonalDataAccess.objects.create(citizen=citizen, viewer=viewer, purpose=purpose[:100],
                                             ip_address=ip_value)
