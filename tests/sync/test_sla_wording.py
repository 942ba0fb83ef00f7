"""The SLA escalation says what the centre last told us: data unchanged, or no answer at all."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from sync import registry, services, sweep
from sync.models import SyncJob
from tests.cast import complaint
from tests.sync.fake_registry import ScriptedRegistry
from tickets import services as ticket_services
from tickets.workflow import Status

pytestmark = pytest.mark.django_db
UNCHANGED = "Melewati SLA 1x24 jam; data belum berubah di pusat. Hubungi petugas pusat."
UNREACHABLE = (
    "Melewati SLA 1x24 jam; pusat tidak dapat dihubungi saat pengecekan terakhir, jadi belum diketahui "
    "apakah data sudah berubah. Hubungi petugas pusat."
)
STALE_RESIDENT = {"nik": "3319014101900001", "kk_number": "3319010101100003", "full_name": "Siti Rahayu"}


@pytest.fixture(autouse=True)
def no_breaker(settings):
    settings.REGISTRY_BREAKER_THRESHOLD = 1000
    cache.clear()


@pytest.fixture
def script():
    return ScriptedRegistry()


@pytest.fixture
def accepted_job(office, clerk, script):
    job = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint()).sync_job
    script.answer(202, {"update_id": "u-1", "status": "accepted"})
    assert services.push_job(job.pk, client=client(script)) == "accepted"
    return job


def client(script):
    return registry.RegistryClient(
        base_url="http://registry.test/api/v1", token="t", transport=script.transport()
    )


def check_now(job, script) -> str:
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    return services.check_job(job.pk, client=client(script))


def escalation_reason(job) -> str:
    SyncJob.objects.filter(pk=job.pk).update(sla_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep.escalate_overdue() == 1
    event = job.ticket.events.get(to_status=Status.ESCALATED)
    return event.message


def test_a_centre_that_answered_with_the_old_data_is_reported_as_unchanged(accepted_job, script):
    script.answer(200, {"status": "applied"}).answer(200, STALE_RESIDENT)
    assert check_now(accepted_job, script) == "mismatch"

    reason = escalation_reason(accepted_job)

    assert UNCHANGED in reason


def test_a_centre_that_has_not_applied_the_update_yet_is_reported_as_unchanged(accepted_job, script):
    script.answer(200, {"status": "accepted"})
    assert check_now(accepted_job, script) == "not_applied"

    reason = escalation_reason(accepted_job)

    assert UNCHANGED in reason


def test_a_centre_that_did_not_answer_the_last_check_is_reported_as_unreachable_not_unchanged(
    accepted_job, script
):
    script.answer(200, {"status": "accepted"})
    check_now(accepted_job, script)
    script.answer(503, {"error": "outage"})
    assert check_now(accepted_job, script) != "mismatch"

    reason = escalation_reason(accepted_job)

    assert UNREACHABLE in reason
    assert "data belum berubah" not in reason


def test_the_unreachable_wording_reads_in_english_when_the_ui_is_english(accepted_job, script):
    script.answer(503, {"error": "outage"})
    check_now(accepted_job, script)

    with translation.override("en"):
        reason = escalation_reason(accepted_job)

    assert reason.startswith(
        "The 24-hour SLA has passed and the centre could not be reached at the last check"
    )
