"""The fixed cast every test shares: one office (Kudus) with a clerk and a supervisor, and a second
office with its own clerk, for the scoping checks."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets.models import Office, StaffProfile
from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP
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


@pytest.fixture
def office(db):
    return Office.objects.create(code="3319", name="Disdukcapil Kabupaten Kudus", region_code="33.19",
                                 central_contact_whatsapp="+628118005373")


@pytest.fixture
def other_office(db):
    return Office.objects.create(code="3374", name="Disdukcapil Kota Semarang", region_code="33.74")


@pytest.fixture
def clerk(office):
    return make_staff("petugas", office, COUNTER_GROUP, first_name="Sri")


@pytest.fixture
def supervisor(office):
    return make_staff("supervisor", office, SUPERVISOR_GROUP, first_name="Bambang")


@pytest.fixture
def other_clerk(other_office):
    return make_staff("petugas_semarang", other_office, COUNTER_GROUP)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


def complaint(**overrides) -> Complaint:
    values = dict(
        nik=NIK, full_name="Siti Rahayu", birth_date=dt.date(1990, 1, 1), sex="P", phone="+6281234567890",
        kk_number=KK_NEW, kk_number_old=KK_OLD, category="new_kk", service="sscasn",
        description="KK baru setelah menikah; SSCASN menolak.", deadline=None,
    )
    values.update(overrides)
    return Complaint(**values)


def nik_with_serial(serial: int) -> str:
    """Return a valid NIK that differs from NIK only by its serial."""
    return f"{NIK[:12]}{serial:04d}"
