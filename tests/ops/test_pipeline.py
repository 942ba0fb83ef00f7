"""The progress check: due jobs nobody takes up, a backlog too old, a beat that stopped sweeping."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from sync import health
from sync.models import SyncAttempt, SyncJob
from tests.cast import complaint
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SYNC_STALL_SECONDS = 300
    settings.SYNC_OLDEST_DUE_SECONDS = 900
    settings.SYNC_SWEEP_STALE_SECONDS = 180


@pytest.fixture
def job(office, clerk):
    ticket = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    return ticket.sync_job


def due_since(job, seconds, now=None):
    now = now or timezone.now()
    SyncJob.objects.filter(pk=job.pk).update(next_attempt_at=now - dt.timedelta(seconds=seconds))


def attempt(job, seconds_ago, now=None):
    now = now or timezone.now()
    return SyncAttempt.objects.create(
        job=job,
        operation="push",
        outcome="retry",
        latency_ms=20,
        created_at=now - dt.timedelta(seconds=seconds_ago),
    )


def run_check(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_pipeline", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_an_idle_pipeline_with_a_fresh_sweep_is_healthy(client):
    health.record_sweep()
    status = health.pipeline_status()
    assert status.ok and status.checks == {"progress": "ok", "backlog": "ok", "beat": "ok"}
    response = client.get("/healthz/pipeline")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert run_check() == (0, "progress: ok\nbacklog: ok\nbeat: ok\n")


def test_a_stalled_worker_is_detected_and_cleared_when_work_resumes(job, client):
    health.record_sweep()
    due_since(job, 400)  # due for longer than SYNC_STALL_SECONDS, and no attempt at all
    status = health.pipeline_status()
    assert status.checks["progress"] == "fail" and status.checks["backlog"] == "ok"
    assert status.due_jobs == 1 and "stalled" in status.reasons[0]
    response = client.get("/healthz/pipeline")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["checks"]["progress"] == "fail" and body["due_jobs"] == 1
    code, out = run_check()
    assert code == 1 and "progress: fail" in out and "stalled" in out

    attempt(job, 1)  # a worker took a job up again (the job is still due: it will be retried)
    assert health.pipeline_status().ok
    assert client.get("/healthz/pipeline").status_code == 200
    assert run_check()[0] == 0


def test_old_attempts_do_not_count_as_progress(job):
    health.record_sweep()
    attempt(job, 3600)
    due_since(job, 400)
    assert health.pipeline_status().checks["progress"] == "fail"


def test_a_job_that_only_just_became_due_after_a_quiet_hour_is_not_a_stall(job):
    health.record_sweep()
    attempt(job, 3600)
    due_since(job, 5)
    assert health.pipeline_status().checks["progress"] == "ok"


def test_a_job_held_by_a_worker_is_not_due(job):
    now = timezone.now()
    SyncJob.objects.filter(pk=job.pk).update(
        next_attempt_at=now - dt.timedelta(seconds=400), claimed_until=now + dt.timedelta(seconds=60)
    )
    status = health.pipeline_status(now)
    assert status.due_jobs == 0 and status.checks["progress"] == "ok"


def test_a_backlog_older_than_the_bound_fails_even_with_some_progress(job):
    health.record_sweep()
    attempt(job, 10)
    due_since(job, 1000)
    status = health.pipeline_status()
    assert status.checks == {"progress": "ok", "backlog": "fail", "beat": "ok"}
    assert "backlog" in status.reasons[0]


def test_beat_fails_without_a_sweep_heartbeat_and_recovers_when_the_sweeper_runs(monkeypatch):
    status = health.pipeline_status(only=("beat",))
    assert status.checks == {"beat": "fail"} and "never" in status.reasons[0]
    assert run_check("--only", "beat")[0] == 1

    from sync import tasks

    monkeypatch.setattr(tasks, "nudge", lambda *args, **kwargs: None)
    tasks.sweep()  # what beat runs every SYNC_SWEEP_SECONDS
    assert health.pipeline_status(only=("beat",)).ok
    assert run_check("--only", "beat") == (0, "beat: ok\n")


def test_a_stale_heartbeat_fails_the_beat_check():
    health.record_sweep(now=timezone.now() - dt.timedelta(seconds=600))
    status = health.pipeline_status(only=("beat",))
    assert status.checks == {"beat": "fail"} and "600 s ago" in status.reasons[0]


@pytest.mark.parametrize("redis_url", ["", "redis://shared-cache"])
def test_the_heartbeat_is_kept_in_a_file_without_redis_and_in_the_cache_with_it(
    settings, redis_url, tmp_path
):
    settings.REDIS_URL = redis_url  # the test cache stands in for Redis: only the choice matters here
    moment = timezone.now().replace(microsecond=0)
    health.record_sweep(now=moment)
    assert health.last_sweep() == moment
    assert (tmp_path / health.SWEEP_FILE_NAME).exists() == (not redis_url)


def test_a_heartbeat_that_cannot_be_written_does_not_fail_the_sweep(settings, tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.VAR_DIR = blocker  # mkdir under a file fails
    health.record_sweep()
    assert "could not record the sweep heartbeat" in caplog.text
    assert health.last_sweep() is None


def test_the_worker_and_beat_containers_run_only_their_own_checks(job):
    due_since(job, 400)  # a stall, but no heartbeat either
    code, out = run_check("--only", "progress,backlog")
    assert code == 1 and "beat" not in out
    code, out = run_check("--only", "beat", "--json")
    assert code == 1
    assert json.loads(out)["checks"] == {"beat": "fail"}
    with pytest.raises(CommandError):
        call_command("check_pipeline", "--only", "bogus")


def test_check_pipeline_exits_1_when_the_database_cannot_be_read(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "pipeline_status", down)
    code, out = run_check()
    assert code == 1 and "OperationalError" in out


def test_the_pipeline_endpoint_says_fail_without_details_when_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("could not connect to server at 10.1.2.3 password=hunter2")

    monkeypatch.setattr(health, "pipeline_status", down)
    response = client.get("/healthz/pipeline")
    assert response.status_code == 503
    assert "10.1.2.3" not in response.content.decode() and "hunter2" not in response.content.decode()
