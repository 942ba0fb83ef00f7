"""A ticket's life through the real pipeline: counter -> outbox -> worker -> registry -> timeline.

Real processes: the mock registry (gunicorn), Redis, a Celery worker and beat (see conftest.py).
"""

import datetime as dt

import pytest
from django.db import transaction

from citizens.models import Citizen
from sync.models import SyncAttempt, SyncJob
from sync.refusals import block_of
from tests.cast import nik_with_serial
from tests.integration.conftest import SLA_SECONDS
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def timeline(ticket):
    """The ticket's status events, oldest first, as (kind, from, to, actor username or 'system').
    Other lines (notes, notifications to the citizen) are not the pipeline's business here."""
    events = (
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(to_status="")
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [(e.kind, e.from_status, e.to_status, e.actor.username if e.actor else "system") for e in events]


def test_an_opened_ticket_is_pushed_checked_and_resolved_by_the_system_with_one_write_at_the_registry(
    pipeline,
):
    ticket = pipeline.open_ticket()

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=30)

    assert timeline(ticket) == [
        ("opened", "", Status.NEW, "petugas"),
        ("status", Status.NEW, Status.SENT, "system"),
        ("status", Status.SENT, Status.RESOLVED, "system"),
    ]
    job = pipeline.job(ticket)
    assert job.state == SyncJob.State.VERIFIED and job.claimed_until is None
    ticket.refresh_from_db()
    assert ticket.sent_at and ticket.resolved_at and ticket.sent_at <= ticket.resolved_at
    key = str(job.idempotency_key)
    stats = pipeline.registry.stats()
    assert stats["updates_by_key"] == {key: 1}
    assert stats["writes_applied_by_key"] == {key: 1}
    assert set(stats["requests_by_endpoint"]["resident_put"]) == {"202"}
    with pipeline.registry.client() as api:
        centre = api.get(f"/residents/{job.payload['nik']}").json()
    assert centre["kk_number"] == job.payload["kk_number"] == ticket.kk_number


def test_an_update_the_centre_rejects_rejects_the_ticket_with_the_centres_reason_on_the_timeline(pipeline):
    pipeline.registry.set_behaviour(reject_rate=1.0)
    ticket = pipeline.open_ticket()

    pipeline.wait_for_status([ticket], [Status.REJECTED, Status.ACTION_NEEDED], timeout=30)

    job = pipeline.job(ticket)
    assert job.state == SyncJob.State.REJECTED and job.update_id
    with pipeline.registry.client() as api:
        update = api.get(f"/updates/{job.update_id}").json()
    assert update["status"] == "rejected" and update["reason"]
    ticket.refresh_from_db()
    block = block_of(update["reason_code"])  # the mock draws the reason: a block or a verdict on the data
    if block:
        assert (ticket.status, ticket.centre_block) == (Status.ACTION_NEEDED, block)
        return
    rejected = TicketEvent.objects.get(ticket=ticket, to_status=Status.REJECTED)
    assert rejected.actor is None and rejected.from_status == Status.SENT
    assert update["reason"] in rejected.message
    ticket.refresh_from_db()
    assert update["reason"] in ticket.outcome_note and ticket.closed_at
    assert pipeline.registry.stats()["writes_applied_by_key"] == {}


def test_a_stuck_update_is_escalated_once_at_the_sla_and_resolved_after_the_desk_expedites_it(pipeline):
    from sync import tasks

    pipeline.registry.set_behaviour(stuck_rate=1.0)
    ticket = pipeline.open_ticket()

    pipeline.wait_for_status([ticket], Status.ESCALATED, timeout=SLA_SECONDS + 15)
    job = pipeline.job(ticket)
    escalated = TicketEvent.objects.get(ticket=ticket, to_status=Status.ESCALATED)
    assert escalated.actor is None and escalated.from_status == Status.SENT
    assert escalated.details["update_id"] == job.update_id
    # At the SLA: not before it, and within a few sweeps (1 s apart) after it.
    assert job.sla_due_at <= escalated.created_at <= job.sla_due_at + dt.timedelta(seconds=5)
    assert job.sla_due_at - job.accepted_at == dt.timedelta(seconds=SLA_SECONDS)
    # Checks keep running past the SLA (every 0.5 s here) and find nothing; no second escalation.
    pipeline.sleep_sweeps(3)
    assert TicketEvent.objects.filter(ticket=ticket, to_status=Status.ESCALATED).count() == 1
    assert pipeline.job(ticket).checks > job.checks
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED

    tasks.expedite.delay(job.pk)  # what the escalation desk's button sends

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=20)
    assert [e[1:] for e in timeline(ticket)] == [
        ("", Status.NEW, "petugas"),
        (Status.NEW, Status.SENT, "system"),
        (Status.SENT, Status.ESCALATED, "system"),
        (Status.ESCALATED, Status.RESOLVED, "system"),
    ]
    assert (
        SyncAttempt.objects.filter(job=job, operation=SyncAttempt.Operation.EXPEDITE, status_code=202).count()
        == 1
    )
    stats = pipeline.registry.stats()
    assert stats["updates"]["expedited"] == 1
    assert stats["writes_applied_by_key"] == {str(job.idempotency_key): 1}


def test_a_ticket_whose_creation_is_rolled_back_never_reaches_the_registry(pipeline):
    class CounterCrashed(Exception):
        pass

    rolled_back_nik = nik_with_serial(7)
    with pytest.raises(CounterCrashed), transaction.atomic():
        pipeline.open_ticket(nik=rolled_back_nik, known=False)
        raise CounterCrashed
    control = pipeline.open_ticket(serial=8)  # proves the pipeline was running all along

    pipeline.wait_for_status([control], Status.RESOLVED, timeout=30)
    pipeline.sleep_sweeps(3)

    assert not Citizen.objects.with_nik(rolled_back_nik).exists()
    assert Ticket.objects.count() == SyncJob.objects.count() == 1
    stats = pipeline.registry.stats()
    assert stats["updates_by_key"] == {str(pipeline.job(control).idempotency_key): 1}
    # Every PUT the registry saw is one the control ticket's job recorded.
    control_pushes = SyncAttempt.objects.filter(
        job__ticket=control, operation=SyncAttempt.Operation.PUSH
    ).count()
    assert sum(stats["requests_by_endpoint"]["resident_put"].values()) == control_pushes
    with pipeline.registry.client() as api:
        assert api.get(f"/residents/{rolled_back_nik}").status_code == 404
