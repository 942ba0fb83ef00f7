"""Jobs held for a batch (sync.held) and the client's family call: the generic hooks families uses."""

import pytest
from django.utils import timezone

from sync import held, registry, tasks
from sync.models import SyncAttempt, SyncJob
from tests.cast import complaint, nik_with_serial
from tests.sync.fake_registry import ScriptedRegistry
from tickets import services as ticket_services
from tickets.models import TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sync_settings")]
State = SyncJob.State
ACCEPTED = registry.Accepted(202, 5, update_id="fam-1", expected_by=None)


@pytest.fixture
def tickets(office, clerk):
    return [
        ticket_services.open_ticket(
            office=office, created_by=clerk, complaint=complaint(nik=nik_with_serial(n))
        )
        for n in (1, 2)
    ]


def states(tickets):
    return [SyncJob.objects.get(ticket=t).state for t in tickets]


def test_only_jobs_never_pushed_are_held(tickets):
    SyncJob.objects.filter(ticket=tickets[1]).update(attempts=1)

    assert held.hold_jobs([t.pk for t in tickets]) == {tickets[0].pk}
    assert states(tickets) == [State.HELD, State.PENDING]
    assert held.held_ticket_ids([t.pk for t in tickets]) == {tickets[0].pk}


def test_released_jobs_push_on_their_own_at_once(tickets, monkeypatch, django_capture_on_commit_callbacks):
    held.hold_jobs([t.pk for t in tickets])
    nudged = []
    monkeypatch.setattr(tasks, "nudge", lambda job_id, state, countdown=None: nudged.append(state))

    with django_capture_on_commit_callbacks(execute=True):
        assert held.release_held([t.pk for t in tickets]) == 2

    assert states(tickets) == [State.PENDING, State.PENDING] and nudged == [State.PENDING, State.PENDING]
    assert SyncJob.objects.filter(next_attempt_at__gt=timezone.now()).count() == 0


def test_accepting_held_jobs_sends_their_tickets_once_even_if_repeated(tickets):
    held.hold_jobs([t.pk for t in tickets])

    assert held.accept_held([t.pk for t in tickets], outcome=ACCEPTED, details={"family_push": 7}) == 2
    assert held.accept_held([t.pk for t in tickets], outcome=ACCEPTED) == 0

    job = SyncJob.objects.get(ticket=tickets[0])
    assert job.state == State.ACCEPTED and job.update_id == "fam-1" and job.sla_due_at > job.accepted_at
    assert job.next_attempt_at > job.accepted_at
    sent = TicketEvent.objects.filter(to_status=Status.SENT)
    assert sent.count() == 2 and sent.first().details == {"update_id": "fam-1", "family_push": 7}
    assert SyncAttempt.objects.filter(operation="push", outcome="accepted").count() == 2


def test_a_ticket_closed_meanwhile_is_left_closed_when_its_batch_is_accepted(tickets, supervisor):
    held.hold_jobs([tickets[0].pk])
    ticket_services.close_ticket(ticket=tickets[0], actor=supervisor, reason="Ditarik pemohon.")

    assert held.accept_held([tickets[0].pk], outcome=ACCEPTED) == 1
    tickets[0].refresh_from_db()
    assert tickets[0].status == Status.CLOSED


def test_refused_held_jobs_end_and_their_tickets_need_an_action(tickets):
    held.hold_jobs([t.pk for t in tickets])
    outcome = registry.FamilyRefused(422, 5, code="family_refused")

    assert (
        held.refuse_held(
            [t.pk for t in tickets], outcome=outcome, reason_code="family_refused", message="Ditolak."
        )
        == 2
    )
    assert (
        held.refuse_held([t.pk for t in tickets], outcome=outcome, reason_code="family_refused", message="x")
        == 0
    )

    assert states(tickets) == [State.REJECTED, State.REJECTED]
    event = TicketEvent.objects.get(ticket=tickets[0], to_status=Status.ACTION_NEEDED)
    assert event.message == "Ditolak." and event.details == {"reason_code": "family_refused"}


# --- the client's family call --------------------------------------------------------------------

FAMILY = {"kk_number": "3319011503260002", "head_nik": "3319010101880001", "members": ["3319010101880001"]}


def family_call(*answers):
    script = ScriptedRegistry()
    for status, body in answers:
        script.answer(status, body)
    client = registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=script.transport()
    )
    return client.push_family(FAMILY, idempotency_key="k-1"), script


def test_a_family_refusal_keeps_only_the_last_four_digits_of_the_members_it_names():
    body = {
        "error": "family_refused",
        "detail": "ditolak",
        "members": [{"nik": "3319010101880001", "error": "not_in_family"}],
    }
    outcome, script = family_call((422, body))

    assert isinstance(outcome, registry.FamilyRefused) and outcome.reason == "family_refused"
    assert outcome.members == ({"last4": "0001", "error": "not_in_family"},)
    assert script.requests[0].url.path == "/api/v1/families/3319011503260002"


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (202, {"update_id": "fam-1"}, registry.Accepted),
        (422, {"error": "validation_failed", "errors": {"members": ["salah"]}}, registry.Rejected),
        (422, {"error": "documents_required", "detail": "KK tidak dikenal"}, registry.FamilyRefused),
        (409, {"error": "request_in_flight", "retry_after": 1}, registry.Retry),
        (503, {"error": "outage"}, registry.Retry),
        (409, {"error": "idempotency_key_reused"}, registry.Defect),
    ],
)
def test_each_answer_to_a_family_call_has_its_outcome(status, body, kind):
    outcome, _script = family_call((status, body))
    assert type(outcome) is kind
