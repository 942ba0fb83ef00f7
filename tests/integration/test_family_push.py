"""A family's new KK through the real pipeline: one PUT /families/{kk} at the mock centre, applied or
refused as a whole (real registry process, Redis, Celery worker and beat; see conftest.py)."""

import datetime as dt

import pytest

from families.models import FamilyPush
from families.services import MemberEntry, open_family_group
from sync.models import SyncJob
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tests.families.support import DAUGHTER, HUSBAND, SON
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

APPLICANT = {
    "nik": NIK,
    "full_name": "Siti Rahayu",
    "birth_date": "1990-01-01",
    "sex": "P",
    "relation": "istri",
}
FAMILY = (APPLICANT, HUSBAND, DAUGHTER, SON)


@pytest.fixture
def family_pipeline(pipeline):
    yield pipeline
    # Quiet the families sweep too before the tables are truncated under the worker.
    FamilyPush.objects.filter(state=FamilyPush.State.PENDING).update(state=FamilyPush.State.SPLIT)


def seed_centre(registry, *, card_members):
    """The centre knows every person on their old KK, and the new card with `card_members`."""
    registry.seed(
        [
            {**{k: p[k] for k in ("nik", "full_name", "birth_date", "sex")}, "kk_number": KK_OLD}
            for p in FAMILY
        ]
    )
    registry.seed_families(
        [{"kk_number": KK_NEW, "head_nik": HUSBAND["nik"], "members": [p["nik"] for p in card_members]}]
    )


def open_family(pipeline):
    entries = [
        MemberEntry(
            complaint=complaint(
                nik=p["nik"],
                full_name=p["full_name"],
                birth_date=dt.date.fromisoformat(p["birth_date"]),
                sex=p["sex"],
            ),
            relation=p["relation"],
        )
        for p in FAMILY
    ]
    return open_family_group(
        office=pipeline.office, created_by=pipeline.clerk, kk_number=KK_NEW, members=entries
    )


def member_tickets(group):
    return list(Ticket.objects.filter(family_memberships__group=group))


def test_a_family_update_is_one_write_at_the_centre_and_resolves_every_member(family_pipeline):
    registry = family_pipeline.registry
    registry.set_behaviour(propagation_seconds=0.5)  # applied 0.25-0.5 s after acceptance
    seed_centre(registry, card_members=FAMILY)

    group = open_family(family_pipeline)
    tickets = member_tickets(group)
    family_pipeline.wait_for_status(tickets, Status.RESOLVED, timeout=40)

    push = FamilyPush.objects.get(group=group)
    assert push.state == FamilyPush.State.ACCEPTED and push.update_id
    assert set(SyncJob.objects.filter(ticket__in=tickets).values_list("update_id", flat=True)) == {
        push.update_id
    }
    stats = registry.stats()
    assert stats["updates_by_key"] == {str(push.idempotency_key): 1}  # one update for the whole family
    assert "resident_put" not in stats["requests_by_endpoint"]  # no member was pushed on their own
    with registry.client() as api:
        card = api.get(f"/families/{KK_NEW}").json()
    assert card["head_nik"] == HUSBAND["nik"]
    assert {m["kk_number"] for m in card["members"]} == {KK_NEW} and len(card["members"]) == 4


def test_a_family_the_centre_refuses_changes_nobody_and_every_member_needs_an_action(family_pipeline):
    registry = family_pipeline.registry
    seed_centre(registry, card_members=(APPLICANT, HUSBAND, DAUGHTER))  # the son is not on the card

    group = open_family(family_pipeline)
    tickets = member_tickets(group)
    family_pipeline.wait_for_status(tickets, Status.ACTION_NEEDED, timeout=30)

    push = FamilyPush.objects.get(group=group)
    assert push.state == FamilyPush.State.REFUSED
    assert push.refusal["members"] == [{"last4": SON["nik"][-4:], "error": "not_in_family"}]
    events = TicketEvent.objects.filter(ticket__in=tickets, to_status=Status.ACTION_NEEDED)
    assert events.count() == 4
    assert all("tidak tercatat sebagai anggota KK ini di pusat" in e.message for e in events)
    assert set(SyncJob.objects.filter(ticket__in=tickets).values_list("state", flat=True)) == {
        SyncJob.State.REJECTED
    }
    stats = registry.stats()
    assert stats["updates"]["total"] == 0 and stats["writes_applied_by_key"] == {}
    with registry.client() as api:
        centre = [api.get(f"/residents/{p['nik']}").json()["kk_number"] for p in FAMILY]
    assert centre == [KK_OLD] * 4  # nothing half-applied
