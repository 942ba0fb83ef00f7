"""/metrics: Prometheus text, the pipeline's figures, protected, and no personal data anywhere."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from sync.models import SyncAttempt, SyncJob
from tests.cast import KK_NEW, KK_OLD, NIK, complaint
from tickets import services as ticket_services

ROOT = Path(__file__).resolve().parents[2]
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.fixture
def busy_desk(db, office, clerk):
    """Two tickets of Siti Rahayu's: one pushed and past its SLA, one stuck due; some attempts."""
    now = timezone.now()
    first = ticket_services.open_ticket(office=office, created_by=clerk, complaint=complaint())
    second = ticket_services.open_ticket(
        office=office,
        created_by=clerk,
        complaint=complaint(nik=NIK[:12] + "0002", kk_number=KK_OLD, kk_number_old=KK_NEW),
    )
    SyncJob.objects.filter(pk=first.sync_job.pk).update(
        state=SyncJob.State.ACCEPTED,
        sla_due_at=now - dt.timedelta(hours=1),
        next_attempt_at=now + dt.timedelta(hours=1),
    )
    SyncJob.objects.filter(pk=second.sync_job.pk).update(next_attempt_at=now - dt.timedelta(seconds=120))
    for job, operation, outcome, latency in [
        (first.sync_job, "push", "accepted", 80),
        (first.sync_job, "resident", "found", 1200),
        (second.sync_job, "push", "retry", None),
    ]:
        SyncAttempt.objects.create(job=job, operation=operation, outcome=outcome, latency_ms=latency)
    return first, second


def scrape(client, **headers):
    return client.get("/metrics", **headers)


def samples(text: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_carry_the_pipeline_figures_in_prometheus_text_format(client, busy_desk):
    client.get("/healthz")  # a request to count
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    found = samples(response.content.decode())  # parses: valid exposition format

    assert found[("sinkron_tickets", (("status", "new"),))] == 2
    assert found[("sinkron_tickets", (("status", "resolved"),))] == 0
    assert found[("sinkron_sync_jobs", (("state", "accepted"),))] == 1
    assert found[("sinkron_sync_jobs_due", ())] == 1
    assert 119 <= found[("sinkron_sync_oldest_due_age_seconds", ())] < 200
    assert found[("sinkron_sync_attempts_window", (("operation", "push"), ("outcome", "accepted")))] == 1
    assert found[("sinkron_sync_attempts_window", (("operation", "push"), ("outcome", "retry")))] == 1
    assert found[("sinkron_sync_attempt_latency_seconds_bucket", (("le", "0.1"), ("operation", "push")))] == 1
    assert (
        found[("sinkron_sync_attempt_latency_seconds_bucket", (("le", "1.0"), ("operation", "resident")))]
        == 0
    )
    assert (
        found[("sinkron_sync_attempt_latency_seconds_bucket", (("le", "2.5"), ("operation", "resident")))]
        == 1
    )
    assert found[("sinkron_sla_breached_jobs", ())] == 1
    assert found[("sinkron_sla_breaches_total", ())] == 0
    assert found[("sinkron_ticket_escalations_total", ())] == 0
    assert found[("sinkron_registry_circuit_open", ())] == 0
    assert found[("sinkron_metrics_database_up", ())] == 1
    assert found[("sinkron_sync_pipeline_check_ok", (("check", "progress"),))] == 1
    assert (
        found[("sinkron_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "healthz")))]
        >= 1
    )
    assert ("sinkron_http_request_duration_seconds_count", (("method", "GET"), ("view", "healthz"))) in found
    assert any(name == "sinkron_notifications" for name, _labels in found)


def test_no_personal_data_in_any_metric(client, busy_desk):
    first, _second = busy_desk
    client.get(f"/tiket/{first.code}/")  # a page whose path names a ticket: labels use the view name
    text = scrape(client).content.decode()
    for personal in (NIK, NIK[:12] + "0002", KK_NEW, KK_OLD, "Siti", "Rahayu", "SITI", "+62812", first.code):
        assert personal not in text
    # Personal data could only enter through a label: values are counts and measured durations
    # (a float sum may print 16+ significant digits, which is arithmetic, not a NIK).
    label_text = " ".join(
        line.partition("{")[2].rpartition("}")[0] for line in text.splitlines() if not line.startswith("#")
    )
    assert not SIXTEEN_DIGITS.search(label_text)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for value in sample.labels.values():
                assert not SIXTEEN_DIGITS.search(value), sample


def test_a_database_failure_still_answers_and_says_so(client, monkeypatch):
    from helpdesk import metrics

    def down(self, now):
        raise RuntimeError("database gone")
        yield  # pragma: no cover

    monkeypatch.setattr(metrics.PipelineCollector, "_families", down)
    response = scrape(client)
    assert response.status_code == 200
    assert samples(response.content.decode())[("sinkron_metrics_database_up", ())] == 0


def test_with_a_token_a_scraper_must_present_it(client, settings, db):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert scrape(client).status_code == 401
    assert scrape(client, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert (
        scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", REMOTE_ADDR="10.0.0.9").status_code
        == 200
    )


def test_without_a_token_only_a_direct_loopback_client_may_scrape(client, settings, db):
    settings.METRICS_TOKEN = ""
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 200
    assert scrape(client, REMOTE_ADDR="::1").status_code == 200
    assert scrape(client, REMOTE_ADDR="10.0.0.9").status_code == 403
    # A reverse proxy on the same host connects from 127.0.0.1 but says whom it forwards.
    assert scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 403


def test_metrics_are_served_whatever_the_host_header(client, settings, db):
    settings.ALLOWED_HOSTS = ["sinkron.example.go.id"]
    settings.SECURE_SSL_REDIRECT = True
    assert scrape(client, HTTP_HOST="web:8000").status_code == 200


MULTIPROCESS_WORKER = """
from helpdesk.metrics import HTTP_REQUESTS
HTTP_REQUESTS.labels("tickets:queue", "GET", "200").inc()
"""
MULTIPROCESS_SCRAPE = """
import sys
from prometheus_client import generate_latest
from helpdesk.metrics import _request_registry
sys.stdout.write(generate_latest(_request_registry()).decode())
"""


def test_request_counts_of_several_gunicorn_workers_add_up_in_multiprocess_mode(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # two worker processes count one request each
        subprocess.run([sys.executable, "-c", MULTIPROCESS_WORKER], env=env, check=True, cwd=ROOT, timeout=60)
    out = subprocess.run(
        [sys.executable, "-c", MULTIPROCESS_SCRAPE],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    found = samples(out)
    assert (
        found[
            ("sinkron_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "tickets:queue")))
        ]
        == 2
    )


def test_gunicorn_hooks_empty_the_metrics_folder_at_start(tmp_path, monkeypatch):
    from helpdesk import gunicorn_conf

    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"stale")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn_conf.on_starting(server=None)
    assert folder.is_dir() and list(folder.iterdir()) == []
    (folder / "gauge_livesum_77.db").write_bytes(b"x")

    class Worker:
        pid = 77

    gunicorn_conf.child_exit(server=None, worker=Worker())
    assert list(folder.iterdir()) == []


def test_the_database_figures_are_reused_briefly(client, settings, db, django_assert_max_num_queries):
    settings.METRICS_CACHE_SECONDS = 60
    scrape(client)
    with django_assert_max_num_queries(0):
        assert scrape(client).status_code == 200


def test_a_scrape_costs_a_bounded_number_of_queries(client, busy_desk, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        scrape(client)
