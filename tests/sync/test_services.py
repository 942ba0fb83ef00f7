import datetime as dt

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from sync import registry, services, sweep
from sync.models import SyncAttempt, SyncJob
from tests.cast import KK_NEW, NIK, complaint
from tickets import services as ticket_services
from tickets.models import Ticket, TicketEvent
from tickets.workflow import Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_sync_settings")]
RESIDENT = {
    "nik": NIK,
    "kk_number": KK_NEW,
    "full_name": "SITI  RAHAYU",
    "birth_date": "1990-01-01",
    "sex": "P",
}


def client(script):
    return registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=script.transport()
    )


def accept(job, script):
    script.answer(202, {"update_id": "u-1", "status": "accepted"})
    assert services.push_job(job.pk, client=client(script)) == "accepted"
    job.refresh_from_db()
    return job


def make_due(job):
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


def test_opening_a_ticket_creates_its_outbox_row_with_an_encrypted_payload(ticket, job):
    assert job.state == SyncJob.State.PENDING
    assert job.payload["nik"] == NIK and job.payload["reference"] == ticket.code
    assert job.payload["region_code"] == "33.19.01"
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload_json FROM sync_syncjob")
        assert NIK not in cursor.fetchone()[0]


def test_an_accepted_push_escalates_at_the_counters_promise_and_notes_the_centres_own_deadline(job, script):
    promised = job.ticket.due_at
    job = accept(job, script)
    assert job.state == SyncJob.State.ACCEPTED and job.update_id == "u-1"
    assert job.sla_due_at == promised  # the 1x24 jam the citizen heard at the counter
    assert job.next_attempt_at > job.accepted_at
    ticket = job.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.SENT and ticket.due_at == promised
    assert ticket.centre_due_at - job.accepted_at == dt.timedelta(days=1)
    assert SyncAttempt.objects.get().outcome == "accepted"


def test_a_push_accepted_after_the_promise_passed_gives_the_centre_its_own_day(job, script):
    Ticket.objects.filter(pk=job.ticket_id).update(due_at=timezone.now() - dt.timedelta(hours=2))
    job = accept(job, script)
    assert job.sla_due_at - job.accepted_at == dt.timedelta(days=1)


def test_a_second_delivery_of_the_same_push_does_nothing(job, script):
    accept(job, script)
    assert services.push_job(job.pk, client=client(script)) == "skipped"
    assert len(script.requests) == 1


def test_a_claimed_job_is_not_claimed_again_until_its_lease_ends(job):
    now = timezone.now()
    assert services._claim(job.pk, SyncJob.State.PENDING, now) is not None
    assert services._claim(job.pk, SyncJob.State.PENDING, now) is None
    later = now + dt.timedelta(seconds=200)
    assert services._claim(job.pk, SyncJob.State.PENDING, later) is not None


def test_a_rejected_push_rejects_the_ticket_with_the_centres_reason(job, script):
    script.answer(
        422, {"error": "validation_failed", "errors": {"kk_number": ["dokumen pendukung diperlukan"]}}
    )
    services.push_job(job.pk, client=client(script))
    job.refresh_from_db()
    assert job.state == SyncJob.State.REJECTED
    ticket = job.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.REJECTED and "dokumen pendukung diperlukan" in ticket.outcome_note


def test_a_passing_failure_schedules_a_retry_no_sooner_than_retry_after(job, script):
    script.answer(429, {"error": "rate_limited"}, {"Retry-After": "120"})
    before = timezone.now()
    services.push_job(job.pk, client=client(script))
    job.refresh_from_db()
    assert job.state == SyncJob.State.PENDING
    assert job.next_attempt_at >= before + dt.timedelta(seconds=120)
    assert job.last_error == "rate_limited"


def test_a_centre_that_keeps_rate_limiting_never_fails_the_push(job, script, settings):
    for _ in range(settings.SYNC_MAX_PUSH_ATTEMPTS + 2):
        script.answer(429, {"error": "rate_limited"}, {"Retry-After": "1"})
        make_due(job)
        assert services.push_job(job.pk, client=client(script)) == "retry"
    job.refresh_from_db()
    assert job.state == SyncJob.State.PENDING and job.attempts == 0
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.NEW


def test_pushes_that_keep_failing_escalate_the_ticket_once(job, script):
    for _ in range(3):
        script.answer(503, {"error": "outage"})
        make_due(job)
        services.push_job(job.pk, client=client(script))
    job.refresh_from_db()
    assert job.state == SyncJob.State.FAILED
    ticket = job.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED
    assert ticket.events.filter(to_status=Status.ESCALATED).count() == 1


def test_a_job_whose_worker_kept_dying_is_given_up_without_calling(job, script):
    SyncJob.objects.filter(pk=job.pk).update(attempts=3)
    assert services.push_job(job.pk, client=client(script)) == "failed"
    assert script.requests == []


def test_a_key_reused_with_another_body_fails_the_job_and_escalates(job, script):
    script.answer(409, {"error": "idempotency_key_reused"})
    services.push_job(job.pk, client=client(script))
    job.refresh_from_db()
    assert job.state == SyncJob.State.FAILED and "idempotency_key_reused" in job.last_error


def test_a_matching_check_for_a_service_without_a_portal_view_verifies_the_job_and_resolves_the_ticket(
    job, script
):
    Ticket.objects.filter(pk=job.ticket_id).update(service="bansos")
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, RESIDENT)
    assert services.check_job(job.pk, client=client(script)) == "verified"
    job.refresh_from_db()
    assert job.state == SyncJob.State.VERIFIED
    ticket = job.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.centre_applied_at is None
    assert ticket.events.last().actor is None


def test_a_matching_check_for_a_portal_service_marks_the_centre_done_and_checks_the_portal_at_once(
    job, script
):
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, RESIDENT)
    assert services.check_job(job.pk, client=client(script)) == "centre_applied"
    job.refresh_from_db()
    assert job.state == SyncJob.State.PORTAL and job.portal == "sscasn" and job.verified_at
    assert job.next_attempt_at <= timezone.now()
    ticket = job.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.CENTRE_APPLIED and ticket.centre_applied_at and not ticket.resolved_at
    assert ticket.events.last().text == "Selesai di pusat; SSCASN biasanya menyusul maks. 3x24 jam."


def test_an_applied_update_whose_resident_is_still_stale_schedules_the_next_check(job, script):
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, {**RESIDENT, "kk_number": "3319010101100003"})
    assert services.check_job(job.pk, client=client(script)) == "mismatch"
    job.refresh_from_db()
    assert job.checks == 1 and job.state == SyncJob.State.ACCEPTED
    assert job.next_attempt_at > timezone.now()


def test_an_update_not_yet_applied_is_not_followed_by_a_resident_call_before_the_sla(job, script):
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "accepted"})
    assert services.check_job(job.pk, client=client(script)) == "not_applied"
    job.refresh_from_db()
    assert job.checks == 1 and job.state == SyncJob.State.ACCEPTED
    assert job.next_attempt_at > timezone.now()
    assert [request.url.path for request in script.requests][-1] == "/api/v1/updates/u-1"
    assert list(job.attempts_log.values_list("operation", flat=True).order_by("id")) == ["push", "status"]


def test_past_the_sla_a_resident_fixed_by_hand_is_found_though_the_update_still_waits(job, script):
    job = accept(job, script)
    SyncJob.objects.filter(pk=job.pk).update(sla_due_at=timezone.now() - dt.timedelta(minutes=1))
    make_due(job)
    script.answer(200, {"status": "accepted"}).answer(200, RESIDENT)
    assert services.check_job(job.pk, client=client(script)) == "centre_applied"
    job.refresh_from_db()
    assert job.state == SyncJob.State.PORTAL


def test_an_update_the_centre_rejected_later_rejects_the_ticket(job, script):
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "rejected", "reason": "data ganda"})
    assert services.check_job(job.pk, client=client(script)) == "rejected"
    job.ticket.refresh_from_db()
    assert job.ticket.status == Status.REJECTED and "data ganda" in job.ticket.outcome_note


def test_a_check_that_fails_in_transit_does_not_count_as_a_check(job, script):
    job = accept(job, script)
    make_due(job)
    script.answer(503, {"error": "outage"}, {"Retry-After": "60"})
    services.check_job(job.pk, client=client(script))
    job.refresh_from_db()
    assert job.checks == 0 and job.next_attempt_at >= timezone.now() + dt.timedelta(seconds=59)


def test_the_sla_escalates_exactly_once_and_a_late_match_still_reaches_the_centre_stage(job, script):
    job = accept(job, script)
    SyncJob.objects.filter(pk=job.pk).update(sla_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep.escalate_overdue() == 1
    assert sweep.escalate_overdue() == 0
    ticket = job.ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, RESIDENT)
    services.check_job(job.pk, client=client(script))
    ticket.refresh_from_db()
    assert ticket.status == Status.CENTRE_APPLIED
    assert ticket.events.filter(to_status=Status.ESCALATED).count() == 1


def test_a_ticket_closed_by_staff_stops_its_job(job, supervisor, script):
    ticket_services.close_ticket(ticket=job.ticket, actor=supervisor, reason="Ditarik pemohon.")
    assert services.push_job(job.pk, client=client(script)) == "cancelled"
    assert script.requests == []


def test_a_ticket_closed_while_its_push_was_in_flight_stays_closed(job, supervisor):
    def centre(request):  # staff close the ticket while the centre is answering
        ticket_services.close_ticket(ticket=job.ticket, actor=supervisor, reason="Ditarik pemohon.")
        return httpx.Response(202, json={"update_id": "u-1", "status": "accepted"})

    api = registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=httpx.MockTransport(centre)
    )
    assert services.push_job(job.pk, client=api) == "accepted"
    job.refresh_from_db()
    job.ticket.refresh_from_db()
    assert job.state == SyncJob.State.ACCEPTED and job.claimed_until is None
    assert job.ticket.status == Status.CLOSED
    assert not job.ticket.events.filter(to_status=Status.SENT).exists()


def test_a_check_records_both_registry_calls(job, script):
    job = accept(job, script)
    make_due(job)
    script.answer(200, {"status": "applied"}).answer(200, RESIDENT)
    services.check_job(job.pk, client=client(script))
    calls = job.attempts_log.order_by("id").values_list("operation", "outcome", "status_code")
    assert list(calls) == [
        ("push", "accepted", 202),
        ("status", "updatestate", 200),
        ("resident", "found", 200),
    ]


def test_the_sweeper_recreates_a_lost_outbox_row(ticket):
    SyncJob.objects.filter(ticket=ticket).delete()
    assert sweep.create_missing_jobs() == 1
    assert sweep.create_missing_jobs() == 0
    assert sweep.due_jobs() == [(SyncJob.objects.get(ticket=ticket).pk, "pending")]


def test_due_jobs_skip_claimed_and_future_ones(job):
    assert sweep.due_jobs() == [(job.pk, "pending")]
    services._claim(job.pk, SyncJob.State.PENDING, timezone.now())
    assert sweep.due_jobs() == []


def test_a_rolled_back_ticket_leaves_no_outbox_row(office, clerk):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
            raise RuntimeError
    assert not SyncJob.objects.exists()


class TestStaffActions:
    def test_check_now_makes_the_check_due_and_is_recorded(self, job, script, clerk):
        job = accept(job, script)
        services.request_check_now(ticket=job.ticket, actor=clerk)
        job.refresh_from_db()
        assert job.next_attempt_at <= timezone.now()
        assert job.ticket.events.filter(kind=TicketEvent.Kind.SYNC, actor=clerk).exists()

    def test_check_now_is_rate_limited(self, job, script, clerk):
        job = accept(job, script)
        services.request_check_now(ticket=job.ticket, actor=clerk)
        with pytest.raises(services.StaffActionRefused):
            services.request_check_now(ticket=job.ticket, actor=clerk)

    def test_repush_restarts_a_failed_job_with_the_same_key(self, job, clerk):
        key = job.idempotency_key
        SyncJob.objects.filter(pk=job.pk).update(state=SyncJob.State.FAILED, attempts=3)
        services.request_repush(ticket=job.ticket, actor=clerk)
        job.refresh_from_db()
        assert (job.state, job.attempts, job.idempotency_key) == (SyncJob.State.PENDING, 0, key)

    def test_check_now_before_acceptance_is_refused(self, job, clerk):
        with pytest.raises(services.StaffActionRefused):
            services.request_check_now(ticket=job.ticket, actor=clerk)


def test_expediting_asks_the_centre_and_brings_the_next_check_forward(job, script, settings):
    settings.SYNC_EXPEDITE_CHECK_SECONDS = 5
    job = accept(job, script)
    script.answer(202, {"status": "accepted", "expedited": True})
    assert sweep.expedite_job(job.pk, client=client(script)) == "updatestate"
    assert script.requests[-1].url.path == "/api/v1/updates/u-1/expedite"
    job.refresh_from_db()
    assert job.next_attempt_at <= timezone.now() + dt.timedelta(seconds=5)
    assert job.attempts_log.filter(operation="expedite").exists()


def test_expediting_a_job_not_yet_accepted_does_nothing(job, script):
    assert sweep.expedite_job(job.pk, client=client(script)) == "skipped"
    assert script.requests == []


def test_an_open_breaker_does_not_use_up_a_push_attempt(job, script):
    from sync.registry import CircuitBreaker

    breaker = CircuitBreaker(threshold=1, open_seconds=60)
    breaker.record_failure()
    api = registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=script.transport(), breaker=breaker
    )
    assert services.push_job(job.pk, client=api) == "retry"
    job.refresh_from_db()
    assert job.attempts == 0 and job.last_error == "circuit_open" and script.requests == []
    assert job.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)


def test_retry_after_counts_from_the_answer_not_from_the_claim(job, script):
    script.answer(429, {"error": "rate_limited"}, {"Retry-After": "30"})
    claimed_long_ago = timezone.now() - dt.timedelta(seconds=20)
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=claimed_long_ago - dt.timedelta(seconds=1))
    services.push_job(job.pk, client=client(script), now=claimed_long_ago)
    job.refresh_from_db()
    assert job.next_attempt_at >= timezone.now() + dt.timedelta(seconds=29)
