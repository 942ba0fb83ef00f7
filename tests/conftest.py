"""Shared fixtures: one office (Kudus) with a clerk and a supervisor, and a second office with its
own clerk, for the scoping checks. Data helpers live in tests/cast.py."""

import pytest
from django.utils import translation

from tests.cast import make_staff
from tickets.models import Office
from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP


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
