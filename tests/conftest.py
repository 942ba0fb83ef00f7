"""Shared fixtures: one office (Kudus) with a clerk and a supervisor, and a second office with its
own clerk, for the scoping checks; above them the Central Java provincial office with its
supervisor and the national office with its read-only role. Data helpers live in tests/cast.py."""

import pytest
from django.utils import translation

from tests.cast import make_staff
from tickets.models import Office
from tickets.permissions import COUNTER_GROUP, NATIONAL_GROUP, PROVINCE_GROUP, SUPERVISOR_GROUP


@pytest.fixture
def office(db):
    return Office.objects.create(
        code="3319",
        name="Disdukcapil Kabupaten Kudus",
        region_code="33.19",
        central_contact_whatsapp="+628118005373",
    )


@pytest.fixture
def other_office(db):
    return Office.objects.create(code="3374", name="Disdukcapil Kota Semarang", region_code="33.74")


@pytest.fixture
def pati_office(db):
    """Kudus's neighbour in Central Java: the provincial supervisor reads both, Kudus's staff neither."""
    return Office.objects.create(code="3318", name="Disdukcapil Kabupaten Pati", region_code="33.18")


@pytest.fixture
def surabaya_office(db):
    """An office of East Java: outside the Central Java provincial supervisor's scope."""
    return Office.objects.create(code="3578", name="Disdukcapil Kota Surabaya", region_code="35.78")


@pytest.fixture
def province_office(db):
    return Office.objects.create(
        code="33", name="Disdukcapil Provinsi Jawa Tengah", region_code="33", level=Office.Level.PROVINCE
    )


@pytest.fixture
def national_office(db):
    return Office.objects.create(
        code="00", name="Ditjen Dukcapil", region_code="", level=Office.Level.NATIONAL
    )


@pytest.fixture
def province_supervisor(province_office):
    return make_staff("provinsi", province_office, PROVINCE_GROUP, first_name="Endang")


@pytest.fixture
def national_reader(national_office):
    return make_staff("nasional", national_office, NATIONAL_GROUP, first_name="Hadi")


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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: the production hasher costs ~0.3 s per user created."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_reset():
    """A request in English leaves English active in the thread (LocaleMiddleware activates, nothing
    deactivates): later tests in the same process would read English labels."""
    yield
    translation.deactivate()
