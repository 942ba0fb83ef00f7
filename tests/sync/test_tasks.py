import datetime as dt

import pytest
from django.utils import timezone

from sync import services, tasks
from sync.models import SyncJob
from tests.cast import complaint
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    calls = []
    for task in (tasks.push, tasks.check):
        monkeypatch.setattr(task, "apply_async", lambda args, _name=task.name, **options: calls.append(
            (_name, args, options.get("countdown"))))
    return calls


@pytest.fixture
def job(office, clerk):
    return ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint()).sync_job


def test_a_step_due_within_a_minute_is_nudged_with_a_countdown(job, published):
    SyncJob.objects.filter(pk=job.pk).update(state=SyncJob.State.ACCEPTED,
                                             next_attempt_at=timezone.now() + dt.timedelta(seconds=20))
    tasks._follow_up(job.pk, "mismatch")
    assert [(name, countdown > 15) for name, _args, countdown in published] == [("sync.tasks.check", True)]


def test_a_step_due_later_is_left_to_the_sweeper(job, published):
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    tasks._follow_up(job.pk, "retry")
    assert published == []


def test_a_skipped_task_or_a_claimed_job_is_not_nudged_again(job, published):
    tasks._follow_up(job.pk, "skipped")
    services._claim(job.pk, SyncJob.State.PENDING, timezone.now())
    tasks._follow_up(job.pk, "retry")
    assert published == []


def test_a_finished_job_has_no_next_step(job):
    SyncJob.objects.filter(pk=job.pk).update(state=SyncJob.State.VERIFIED)
    assert services.next_step(job.pk) is None
