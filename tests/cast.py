"""The fixed cast and data every test shares (imported by tests/conftest.py and the tests)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets.models import StaffProfile
from tickets.services import Complaint

PASSWORD = "sinkron-test-pass"

# Structurally valid numbers (Kudus, 33.19.01). NIK: a woman born 01/01/90, serial 0001.
NIK = "3319014101900001"
KK_NEW = "3319011503260002"
KK_OLD = "3319010101100003"


def make_staff(username, office, group=None, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    StaffProfile.objects.create(user=user, office=office)
    return user


def complaint(**overrides) -> Complaint:
    values = dict(
        nik=NIK,
        full_name="Siti Rahayu",
        birth_date=dt.date(1990, 1, 1),
        sex="P",
        phone="+6281234567890",
        kk_number=KK_NEW,
        kk_number_old=KK_OLD,
        category="new_kk",
        service="sscasn",
        description="KK baru setelah menikah; SSCASN menolak.",
        deadline=None,
    )
    values.update(overrides)
    return Complaint(**values)


def nik_with_serial(serial: int) -> str:
    """Return a valid NIK that differs from NIK only by its serial."""
    return f"{NIK[:12]}{serial:04d}"
