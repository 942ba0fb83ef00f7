"""A ticket's life through the real pipeline: counter -> outbox -> worker -> registry -> timeline,
and its second stage: the portal the citizen named (GET /portals/{portal}/residents/{nik}) shows the
data, or its window passes first.

Real processes: the mock registry (gunicorn), Redis, a Celery worker and beat (see conftest.py).
"""

import datetime as dt
import time

import pytest
from django.db import transaction

from citizens.models import Citizen
from notifications.messages import compose
from notifications.models import Notification
from sync import services as sync_services
from sync.models import SyncAttempt, SyncJob
from sync.refusals import block_of
from tests.cast import nik_with_serial
from tests.integration.conftest import SLA_SECONDS, TIME_SCALE
from tests.integration.processes import wait_until
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The portal window: 3x24 jam in production; here 8 s (115200 / 14400), so "past the window"
# takes seconds. Portal checks: at once, then +0.25 s, +0.5 s, +1 s ... at most 1.5 s apart.
# The portals' lag and the centre's delay are in the registry's seconds (its clock, /_control/clock,
# plays the days); Sinkron's window and promise in its own scaled time.
WINDOW_SECONDS = 8
STACK_ENV = {"PORTAL_WINDOW_SECONDS": str(WINDOW_SECONDS * TIME_SCALE)}
DAY = 86400


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
        ("status", Status.SENT, Status.CENTRE_APPLIED, "system"),
        ("status", Status.CENTRE_APPLIED, Status.RESOLVED, "system"),  # the portal (SSCASN) shows it
    ]
    job = pipeline.job(ticket)
    assert job.state == SyncJob.State.VERIFIED and job.claimed_until is None
    ticket.refresh_from_db()
    assert ticket.sent_at and ticket.resolved_at and ticket.sent_at <= ticket.resolved_at
    assert ticket.centre_applied_at <= ticket.portal_seen_at == ticket.resolved_at
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
    ticket.refresh_from_db()
    assert job.sla_due_at == ticket.due_at  # the 1x24 jam promised at the counter
    assert abs(ticket.due_at - ticket.created_at - dt.timedelta(seconds=SLA_SECONDS)) < dt.timedelta(
        seconds=1
    )
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
        (Status.ESCALATED, Status.CENTRE_APPLIED, "system"),
        (Status.CENTRE_APPLIED, Status.RESOLVED, "system"),
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


# --- the second stage ----------------------------------------------------------------------------


def portal_checks(ticket) -> int:
    return SyncAttempt.objects.filter(job__ticket=ticket, operation=SyncAttempt.Operation.PORTAL).count()


def statuses(ticket) -> list:
    return [(e[1], e[2]) for e in timeline(ticket)]


def test_a_portal_within_its_window_resolves_the_ticket_when_it_shows_the_data(pipeline):
    pipeline.registry.set_behaviour(portal_lag_max_seconds=2 * DAY)  # the portals follow within 2x24 jam
    ticket = pipeline.open_ticket()

    pipeline.wait_for_status([ticket], Status.CENTRE_APPLIED, timeout=20)
    wait_until(
        lambda: portal_checks(ticket) >= 1, 5, message="the first portal check", describe=pipeline.describe
    )
    time.sleep(2)
    ticket.refresh_from_db()
    assert ticket.status == Status.CENTRE_APPLIED and ticket.portal_seen_at is None
    # The portal said when it will catch up (days from now): it is not asked again before then.
    assert portal_checks(ticket) == 1
    with pipeline.registry.client() as api:
        nik = pipeline.job(ticket).payload["nik"]
        seen = api.get(f"/portals/sscasn/residents/{nik}")
    # The portal has not seen the resident the centre just created (404), or shows an older version.
    assert seen.status_code == 404 or seen.json()["up_to_date"] is False

    pipeline.registry.advance_clock(2 * DAY)  # two days later at the portals: sooner than it said
    sync_services.request_check_now(ticket=ticket, actor=pipeline.clerk)  # the citizen calls: "it works"

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=10)
    ticket.refresh_from_db()
    assert ticket.portal_seen_at and ticket.portal_window_passed_at is None
    assert ticket.portal_seen_at - ticket.centre_applied_at < dt.timedelta(seconds=WINDOW_SECONDS)
    assert statuses(ticket)[-2:] == [
        (Status.SENT, Status.CENTRE_APPLIED),
        (Status.CENTRE_APPLIED, Status.RESOLVED),
    ]
    assert pipeline.job(ticket).state == SyncJob.State.VERIFIED
    final = TicketEvent.objects.filter(ticket=ticket, to_status=Status.RESOLVED).get()
    assert final.text == "Portal SSCASN sudah menampilkan data terbaru. Pengaduan selesai."
    assert "sudah tampil di SSCASN" in compose(Notification.Kind.RESOLVED, ticket).text


def test_a_portal_past_its_window_resolves_the_ticket_with_the_final_message(pipeline):
    pipeline.registry.set_behaviour(portal_lag_max_seconds=100 * DAY)  # far behind, never within the window
    ticket = pipeline.open_ticket()

    pipeline.wait_for_status([ticket], Status.CENTRE_APPLIED, timeout=20)
    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=WINDOW_SECONDS + 10)

    ticket.refresh_from_db()
    assert ticket.portal_seen_at is None and ticket.portal_window_passed_at
    assert ticket.portal_window_passed_at - ticket.centre_applied_at >= dt.timedelta(seconds=WINDOW_SECONDS)
    # It said it would catch up after the window: asked at the window's start and at its end only.
    assert portal_checks(ticket) == 2
    final = TicketEvent.objects.filter(ticket=ticket, to_status=Status.RESOLVED).get()
    assert final.from_status == Status.CENTRE_APPLIED and "layanan bantuan SSCASN" in final.text
    text = compose(Notification.Kind.RESOLVED, ticket).text
    assert "sudah benar" in text and "hubungi layanan bantuan SSCASN" in text
    kinds = set(Notification.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds <= {Notification.Kind.OPENED, Notification.Kind.CENTRE_APPLIED, Notification.Kind.RESOLVED}


def test_an_update_held_past_the_promise_escalates_at_it_then_resolves_through_both_stages(pipeline):
    # The centre takes exactly one of its days (P, uniform from P to P) while Sinkron promised 6 s.
    pipeline.registry.set_behaviour(propagation_seconds=DAY, propagation_min_fraction=1.0, late_rate=0.0)
    ticket = pipeline.open_ticket()

    pipeline.wait_for_status([ticket], Status.ESCALATED, timeout=30)
    ticket.refresh_from_db()
    escalated = TicketEvent.objects.get(ticket=ticket, to_status=Status.ESCALATED)
    # At the promise made at the counter, not a day after the centre's acceptance.
    assert ticket.due_at <= escalated.created_at <= ticket.due_at + dt.timedelta(seconds=5)
    assert pipeline.job(ticket).sla_due_at == ticket.due_at
    assert ticket.centre_due_at > ticket.sent_at

    pipeline.registry.advance_clock(DAY)  # the centre's day has passed: the update is applied

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=15)
    assert statuses(ticket) == [
        ("", Status.NEW),
        (Status.NEW, Status.SENT),
        (Status.SENT, Status.ESCALATED),
        (Status.ESCALATED, Status.CENTRE_APPLIED),
        (Status.CENTRE_APPLIED, Status.RESOLVED),
    ]
    assert TicketEvent.objects.filter(ticket=ticket, to_status=Status.ESCALATED).count() == 1
    assert Ticket.objects.get(pk=ticket.pk).portal_seen_at
