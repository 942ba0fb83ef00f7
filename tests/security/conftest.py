"""Fixtures of the security tests: the shared cast (tests/conftest.py) plus an admin, a ticket and a
citizen in each of two offices, and one logged-in client per role."""

import itertools
from functools import cached_property

import pytest
from django.core.cache import cache
from django.test import Client

from sync import tasks
from tests.cast import complaint, make_staff, nik_with_serial
from tickets import services
from tickets.models import Ticket


class Objects:
    """Objects of one office that fill URL parameters: a ticket, its citizen, and (made on first use)
    a family group, a KK import batch and a document."""

    def __init__(self, ticket: Ticket, staff, serials):
        self.ticket, self.staff, self._serials = ticket, staff, serials

    @property
    def citizen(self):
        return self.ticket.citizen

    @cached_property
    def group(self):
        from families.models import Relation
        from families.services import MemberEntry, open_family_group

        member = complaint(nik=nik_with_serial(next(self._serials)), category="new_kk")
        return open_family_group(
            office=self.ticket.office,
            created_by=self.staff,
            kk_number=member.kk_number,
            members=[MemberEntry(complaint=member, relation=Relation.HEAD)],
        )

    @cached_property
    def batch(self):
        from families.models import ImportBatch

        return ImportBatch.objects.create(
            office=self.ticket.office,
            uploaded_by=self.staff,
            file_name="kk-baru.csv",
            file_sha256=f"{next(self._serials):064d}",
            file_format="csv",
            status=ImportBatch.Status.PREVIEWED,
        )

    @cached_property
    def document(self):
        from documents.inspection import check_upload
        from documents.services import attach_document
        from tests.documents.files import image_bytes, upload

        checked = check_upload(upload(image_bytes("PNG"), "kk.png"))
        return attach_document(
            ticket=self.ticket, actor=self.staff, kind="kk", checked=checked, original_name="kk.png"
        )

    def with_fresh_ticket(self) -> "Objects":
        """The same office with another new ticket (for a probe that ends the ticket's life)."""
        ticket = services.open_ticket(
            office=self.ticket.office,
            created_by=self.staff,
            complaint=complaint(nik=nik_with_serial(next(self._serials))),
        )
        return Objects(ticket, self.staff, self._serials)


class World:
    """`own` is office A's objects (the cast's office), `foreign` office B's."""

    def __init__(self, own: Objects, foreign: Objects):
        self.own, self.foreign = own, foreign

    @property
    def ticket(self):
        return self.own.ticket

    @property
    def citizen(self):
        return self.own.citizen

    @property
    def foreign_ticket(self):
        return self.foreign.ticket

    @property
    def foreign_citizen(self):
        return self.foreign.citizen


@pytest.fixture(autouse=True)
def quiet_broker(monkeypatch):
    """Sync actions publish Celery nudges; record nothing, publish nothing."""
    for task in (tasks.push, tasks.check, tasks.expedite):
        monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # rate limits, lockouts and the dashboard's figures live in the cache


@pytest.fixture(autouse=True)
def generous_public_limits(settings):
    """The public pages' rate limits have their own tests; here they would only hide other answers."""
    for name in ("STATUS_RATE_PER_IP", "STATUS_RATE_PER_NIK", "RESEND_RATE_PER_IP", "RESEND_RATE_PER_NIK"):
        setattr(settings, name, "100000/60")


@pytest.fixture
def admin(office):
    return make_staff("admin", office, None, is_superuser=True, is_staff=True)


@pytest.fixture
def world(office, other_office, clerk, other_clerk):
    serials = itertools.count(10)
    own = services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    foreign = services.open_ticket(
        office=other_office,
        created_by=other_clerk,
        complaint=complaint(nik=nik_with_serial(2), full_name="Dewi Lestari"),
    )
    return World(Objects(own, clerk, serials), Objects(foreign, other_clerk, serials))


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def role_users(clerk, supervisor, admin, province_supervisor, national_reader):
    return {
        "anonymous": None,
        "clerk": clerk,
        "supervisor": supervisor,
        "admin": admin,
        "province": province_supervisor,
        "national": national_reader,
    }
