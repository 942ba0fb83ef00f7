"""The centre's hard cases through the real pipeline (issue 18): NIK ganda, blocked, nonaktif, an
unknown NIK, and a ticket the centre does not accept in time.

Real processes: the mock registry (refusing unknown NIKs), Redis, a Celery worker and beat (see
conftest.py). The clerk's actions are the services the ticket page's buttons call.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache

from sync import refusals
from sync.models import SyncAttempt
from tests.cast import complaint, nik_with_serial
from tests.integration.conftest import TIME_SCALE
from tests.integration.processes import wait_until
from tests.integration.test_ticket_lifecycle import timeline
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ACCEPT_DEADLINE_SECONDS = 3
STACK_ENV = {"SYNC_ACCEPT_DEADLINE_SECONDS": str(ACCEPT_DEADLINE_SECONDS * TIME_SCALE)}


@pytest.fixture(autouse=True)
def demo_time_here(settings):
    """The clerk's actions run in this process: give it the worker's time scale (their delays)."""
    settings.DEMO_TIME_SCALE = TIME_SCALE


def statuses(ticket):
    return [step[2] for step in timeline(ticket)]


def refreshed(ticket):
    ticket.refresh_from_db()
    return ticket


def pushes_refused(ticket) -> int:
    return SyncAttempt.objects.filter(job__ticket=ticket, operation="push", outcome="refused").count()


@pytest.mark.parametrize(
    ("state", "code", "serial"), [("duplicate", "nik_duplicate", 41), ("blocked", "nik_blocked", 42)]
)
def test_a_nik_in_a_state_only_the_centre_clears_is_taken_to_the_centre_and_resolves_once_cleared(
    pipeline, clerk, state, code, serial
):
    ticket = pipeline.open_ticket(serial, state=state)

    pipeline.wait_for_status([ticket], Status.ACTION_NEEDED, timeout=20)
    assert refreshed(ticket).centre_block == code

    refusals.request_centre_escalation(ticket=ticket, actor=clerk)
    # Still blocked at the centre: the job keeps trying on its slow schedule, the ticket stays put.
    wait_until(lambda: pushes_refused(ticket) >= 3, 20, message="the push to be refused again")
    assert refreshed(ticket).status == Status.ESCALATED

    pipeline.registry.set_state(ticket.citizen.nik, "active")  # the central operator clears it

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=20)
    assert statuses(ticket) == [
        Status.NEW,
        Status.ACTION_NEEDED,
        Status.ESCALATED,
        Status.CENTRE_APPLIED,
        Status.RESOLVED,
    ]
    escalated = TicketEvent.objects.get(ticket=ticket, to_status=Status.ESCALATED)
    assert escalated.actor == clerk and code not in escalated.text
    assert TicketEvent.objects.filter(
        ticket=ticket, message__startswith="Data akhirnya diterima pusat"
    ).exists()


def test_a_nonaktif_nik_is_reactivated_by_the_office_then_pushed_and_resolved(pipeline, clerk):
    ticket = pipeline.open_ticket(43, state="inactive")
    pipeline.wait_for_status([ticket], Status.ACTION_NEEDED, timeout=20)
    assert refreshed(ticket).centre_block == "nik_inactive"

    refusals.request_reactivation(ticket=ticket, actor=clerk)

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=20)
    assert statuses(ticket) == [
        Status.NEW,
        Status.ACTION_NEEDED,
        Status.SENT,
        Status.CENTRE_APPLIED,
        Status.RESOLVED,
    ]
    with pipeline.registry.client() as api:
        centre = api.get(f"/residents/{ticket.citizen.nik}").json()
    assert centre["state"] == "active" and centre["kk_number"] == ticket.kk_number
    assert (
        SyncAttempt.objects.filter(job__ticket=ticket, operation="reactivate", status_code=200).count() == 1
    )


def test_an_unknown_nik_needs_documents_is_refused_again_without_them_and_goes_through_once_known(
    pipeline, clerk
):
    ticket = pipeline.open_ticket(44, known=False)
    pipeline.wait_for_status([ticket], Status.ACTION_NEEDED, timeout=20)
    assert refreshed(ticket).centre_block == "documents_required"

    refusals.request_resubmission(ticket=ticket, actor=clerk)  # nothing new brought: refused again
    wait_until(lambda: pushes_refused(ticket) == 2, 20, message="the resubmission to be refused")
    pipeline.wait_for_status([ticket], Status.ACTION_NEEDED, timeout=10)

    # The office records the citizen from their documents (the mock's seed plays that part).
    pipeline.seed_resident(complaint(nik=nik_with_serial(44)))
    cache.clear()  # the clerk's cooldown between two clicks
    refusals.request_resubmission(ticket=ticket, actor=clerk)

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=20)
    assert statuses(ticket) == [
        Status.NEW,
        Status.ACTION_NEEDED,
        Status.NEW,
        Status.ACTION_NEEDED,
        Status.NEW,
        Status.SENT,
        Status.CENTRE_APPLIED,
        Status.RESOLVED,
    ]
    assert Ticket.objects.count() == 1  # one ticket all along


def test_a_ticket_the_centre_does_not_accept_in_time_is_escalated_and_resolves_once_accepted(pipeline):
    pipeline.registry.set_faults(error_rate=1.0, error_statuses=[503])
    ticket = pipeline.open_ticket(45)

    pipeline.wait_for_status([ticket], Status.ESCALATED, timeout=ACCEPT_DEADLINE_SECONDS + 10)
    escalated = TicketEvent.objects.get(ticket=ticket, to_status=Status.ESCALATED)
    assert escalated.actor is None and escalated.details["accept_deadline"] is True
    assert escalated.created_at - ticket.created_at >= timedelta(seconds=ACCEPT_DEADLINE_SECONDS)
    assert "belum diterima pusat" in escalated.text and "http_503" not in escalated.text

    pipeline.registry.clear_faults()

    pipeline.wait_for_status([ticket], Status.RESOLVED, timeout=20)
    assert statuses(ticket) == [Status.NEW, Status.ESCALATED, Status.CENTRE_APPLIED, Status.RESOLVED]
    assert TicketEvent.objects.filter(ticket=ticket, to_status=Status.ESCALATED).count() == 1
