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
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args, _name=task.name, **options: calls.append((_name, args, options.get("countdown"))),
        )
    return calls


@pytest.fixture
def job(office, clerk):
    return ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint()).sync_job


def claimed(job, state=SyncJob.State.ACCEPTED):
    SyncJob.objects.filter(pk=job.pk).update(state=state, next_attempt_at=timezone.now())
    return services._claim(job.pk, state, timezone.now())


def test_a_step_due_within_a_minute_is_nudged_with_a_countdown(
    job, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services._release(claimed(job), next_attempt_at=timezone.now() + dt.timedelta(seconds=20))
    assert [(name, countdown > 15) for name, _args, countdown in published] == [("sync.tasks.check", True)]


def test_a_step_due_later_is_left_to_the_sweeper(job, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services._release(
            claimed(job, SyncJob.State.PENDING), next_attempt_at=timezone.now() + dt.timedelta(hours=1)
        )
    assert published == []


def test_a_skipped_task_or_a_claimed_job_is_not_nudged_again(
    job, published, django_capture_on_commit_callbacks
):
    held = claimed(job, SyncJob.State.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.push(job.pk) == "skipped"
        stale = SyncJob.objects.get(pk=job.pk)
        stale.claimed_until = held.claimed_until - dt.timedelta(seconds=1)  # a lease another worker took over
        assert not services._release(stale, next_attempt_at=timezone.now())
    assert published == []


def test_a_finished_job_has_no_next_step(job, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services._release(claimed(job), state=SyncJob.State.VERIFIED)
    assert published == []


def pushes(published) -> int:
    return sum(1 for name, _args, _countdown in published if name == "sync.tasks.push")


def test_a_sweep_does_not_publish_again_a_job_whose_message_is_still_queued(job, published):
    assert tasks.sweep()["dispatched"] == 1
    assert tasks.sweep()["dispatched"] == 0
    assert pushes(published) == 1


def test_a_message_unclaimed_past_the_redispatch_time_is_taken_as_lost_and_sent_again(
    job, published, settings
):
    tasks.sweep()
    SyncJob.objects.filter(pk=job.pk).update(
        dispatched_at=timezone.now() - dt.timedelta(seconds=settings.SYNC_REDISPATCH_SECONDS + 1)
    )
    assert tasks.sweep()["dispatched"] == 1
    assert pushes(published) == 2


def test_a_claimed_job_that_falls_due_again_is_published_by_the_next_sweep(job, published):
    tasks.sweep()
    services._claim(job.pk, SyncJob.State.PENDING, timezone.now())
    SyncJob.objects.filter(pk=job.pk).update(
        claimed_until=None, next_attempt_at=timezone.now()
    )  # a retry, due
    assert SyncJob.objects.get(pk=job.pk).dispatched_at is None
    assert tasks.sweep()["dispatched"] == 1


def test_a_job_the_broker_refused_is_not_marked_and_goes_out_with_the_next_sweep(job, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.push, "apply_async", broker_down)
    assert tasks.sweep()["dispatched"] == 0
    assert SyncJob.objects.get(pk=job.pk).dispatched_at is None
