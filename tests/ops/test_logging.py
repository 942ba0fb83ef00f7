"""Structured logs: JSON lines that mask every NIK, and one request id from the request to its tasks."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from celery import signals
from celery.app.task import Context
from django.urls import reverse

from helpdesk import requestid
from helpdesk.jsonlog import SCRUBBING_FORMATTERS, ScrubbingJsonFormatter
from helpdesk.requestid import RequestIdFilter
from tests.cast import KK_NEW, KK_OLD, NIK
from tests.ops.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


class FakeTask:
    """What the handlers read of a task: its request context (hashable, like a real task)."""

    def __init__(self, request):
        self.request = request


INTAKE_FORM = {
    "nik": NIK,
    "full_name": "Siti Rahayu",
    "birth_date": "1990-01-01",
    "sex": "P",
    "phone": "0812-3456-7890",
    "kk_number": KK_NEW,
    "kk_number_old": KK_OLD,
    "category": "new_kk",
    "service": "sscasn",
    "deadline": "",
    "description": "SSCASN menolak NIK dan KK.",
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --- the JSON formatter --------------------------------------------------------------------------


def record(msg, *args, exc_info=None, **extra):
    rec = logging.LogRecord("sync.services", logging.WARNING, __file__, 1, msg, args, exc_info)
    rec.__dict__.update(extra)
    return rec


def test_a_json_line_masks_every_sixteen_digit_number_and_stays_valid_json():
    try:
        raise ValueError(f"registry refused {NIK}")
    except ValueError:
        info = sys.exc_info()
    line = ScrubbingJsonFormatter().format(
        record(
            "push failed for %s (KK %s)",
            NIK,
            KK_NEW,
            exc_info=info,
            request_id="req-1",
            nik_as_int=int(NIK),
            payload={"kk_number": KK_NEW, "codes": [int(KK_NEW)]},
        )
    )
    assert NIK not in line and KK_NEW not in line
    data = json.loads(line)
    assert data["message"] == "push failed for ************0001 (KK ************0002)"
    assert data["level"] == "WARNING" and data["logger"] == "sync.services" and data["request_id"] == "req-1"
    assert data["nik_as_int"] == "************0001"
    assert data["payload"] == {"kk_number": "************0002", "codes": ["************0002"]}
    assert "************0001" in data["exc_info"] and "time" in data


def test_every_configured_handler_masks_numbers_and_adds_the_request_id():
    handlers = set(logging.getLogger().handlers)
    for logger in logging.Logger.manager.loggerDict.values():
        handlers.update(getattr(logger, "handlers", []))
    # Leave out handlers that write nothing (libraries' NullHandlers) and pytest's own capture.
    handlers = {
        h
        for h in handlers
        if not isinstance(h, logging.NullHandler) and not type(h).__module__.startswith("_pytest")
    }
    assert handlers
    for handler in handlers:
        assert isinstance(handler.formatter, SCRUBBING_FORMATTERS), handler
        assert any(isinstance(f, RequestIdFilter) for f in handler.filters), handler


SCRIPT = f"""
import django, logging
django.setup()
logging.getLogger("sync.services").warning("registry refused %s", "{NIK}")
logging.getLogger("django.request").warning("Not Found: /x/{NIK}")
"""


def _run_with(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "SINKRON_ENV")}
    base.update(DJANGO_SETTINGS_MODULE="helpdesk.settings", PYTHONPATH=str(ROOT), **env)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=base,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line for line in done.stderr.splitlines() if "registry refused" in line or "Not Found" in line]


def test_log_format_json_gives_one_masked_json_object_per_line():
    lines = _run_with(LOG_FORMAT="json")
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "registry refused ************0001" and first["request_id"] == "-"
    assert second["logger"] == "django.request" and NIK not in lines[1]  # Django's loggers too


def test_development_defaults_to_masked_plain_text():
    lines = _run_with()
    assert len(lines) == 2 and lines[0].endswith(
        "WARNING sync.services [-] registry refused ************0001"
    )


# --- request ids on the web side -----------------------------------------------------------------


@pytest.mark.parametrize(
    "given,kept",
    [
        ("3f2a9c1e-ops-proxy-77", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("has space", False),
        ("<script>", False),
        (NIK, False),  # never echo or log something shaped like a NIK
        ("", False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client, given, kept):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    if kept:
        assert response["X-Request-ID"] == given
    else:
        assert UUID.fullmatch(response["X-Request-ID"])


def test_the_access_line_carries_the_request_id_view_and_status(client, json_logs, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/cek-status/", HTTP_X_REQUEST_ID="counter-pc-0042")
    line = [r for r in json_logs.records() if r["logger"] == "helpdesk.request"][-1]
    assert line["request_id"] == response["X-Request-ID"] == "counter-pc-0042"
    assert line["view"] == "public_status" and line["status"] == response.status_code
    assert line["path"] == "/cek-status/" and line["method"] == "GET"
    assert requestid.get_request_id() is None  # nothing leaks past the request


# --- request ids on the Celery side --------------------------------------------------------------


def test_publishing_inside_a_request_puts_its_id_in_the_message_headers():
    headers = {"id": "t-1", "task": "sync.tasks.push"}
    token = requestid.set_request_id("req-abc-123")
    try:
        requestid.add_request_id_header(sender="sync.tasks.push", headers=headers)
    finally:
        requestid.reset_request_id(token)
    assert headers["request_id"] == "req-abc-123"


def test_publishing_outside_a_request_adds_nothing_and_an_explicit_header_wins():
    headers = {"id": "t-1"}
    requestid.add_request_id_header(headers=headers)
    assert "request_id" not in headers
    headers = {"id": "t-2", "request_id": "chosen-by-caller"}
    token = requestid.set_request_id("req-abc-123")
    try:
        requestid.add_request_id_header(headers=headers)
    finally:
        requestid.reset_request_id(token)
    assert headers["request_id"] == "chosen-by-caller"


def test_a_worker_restores_the_id_from_the_message_and_forgets_it_after_the_task():
    # In a worker, the message's headers become attributes of task.request.
    task = FakeTask(Context({"id": "t-9", "request_id": "req-from-web-1"}))
    requestid.restore_request_id(task_id="t-9", task=task)
    assert requestid.get_request_id() == "req-from-web-1"
    requestid.clear_request_id(task_id="t-9")
    assert requestid.get_request_id() is None


def test_a_task_published_by_beat_uses_its_own_task_id():
    task = FakeTask(Context({"id": "5b1e2c9a-0d7e-4a51-9d1c-7e1f2a3b4c5d"}))
    requestid.restore_request_id(task_id="5b1e2c9a-0d7e-4a51-9d1c-7e1f2a3b4c5d", task=task)
    try:
        assert requestid.get_request_id() == "5b1e2c9a-0d7e-4a51-9d1c-7e1f2a3b4c5d"
    finally:
        requestid.clear_request_id(task_id="5b1e2c9a-0d7e-4a51-9d1c-7e1f2a3b4c5d")


def test_the_handlers_are_connected_to_celerys_signals():
    headers = {"id": "t-3"}
    token = requestid.set_request_id("req-signal-1")
    try:
        signals.before_task_publish.send(sender="sync.tasks.push", headers=headers, body=None)
    finally:
        requestid.reset_request_id(token)
    assert headers["request_id"] == "req-signal-1"
    task = FakeTask(Context({"id": "t-3", "request_id": "req-signal-1"}))
    signals.task_prerun.send(sender=task, task_id="t-3", task=task, args=(), kwargs={})
    assert requestid.get_request_id() == "req-signal-1"
    signals.task_postrun.send(
        sender=task, task_id="t-3", task=task, args=(), kwargs={}, retval=None, state="SUCCESS"
    )
    assert requestid.get_request_id() is None


@pytest.fixture
def memory_broker():
    """Publish for real (signals, headers, serialisation) into kombu's in-memory transport."""
    from helpdesk.celery import app

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = "memory://", {}
    published = []

    def record(sender=None, headers=None, **kwargs):
        published.append((sender, dict(headers)))

    signals.after_task_publish.connect(record, weak=False, dispatch_uid="tests.ops.memory_broker")
    yield published
    signals.after_task_publish.disconnect(dispatch_uid="tests.ops.memory_broker")
    reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = saved


@pytest.mark.django_db(transaction=True)
def test_a_request_and_the_task_it_enqueued_log_the_same_request_id(
    client, office, clerk, json_logs, memory_broker, settings
):
    from tickets.roles import ensure_groups

    ensure_groups()
    settings.REGISTRY_URL = f"http://127.0.0.1:{free_port()}/api/v1"  # nothing listens: a quick retry
    settings.REGISTRY_CONNECT_TIMEOUT = 1.0
    client.force_login(clerk)
    url = reverse("tickets:intake")
    response = client.post(url, INTAKE_FORM, HTTP_X_REQUEST_ID="intake-7f3a")
    assert response.status_code == 302, response.content[:500]
    assert response["X-Request-ID"] == "intake-7f3a"
    pushes = [headers for name, headers in memory_broker if name == "sync.tasks.push"]
    assert len(pushes) == 1 and pushes[0]["request_id"] == "intake-7f3a"

    from sync.models import SyncJob
    from sync.tasks import push

    # What the worker does with that message: run the task with the headers it carried.
    push.apply((SyncJob.objects.get().pk,), headers=pushes[0])
    lines = json_logs.records()
    access = [r for r in lines if r["logger"] == "helpdesk.request" and r["path"] == url]
    task_lines = [r for r in lines if r["logger"] == "celery.app.trace" and "sync.tasks.push" in r["message"]]
    assert access and task_lines
    assert access[0]["request_id"] == task_lines[0]["request_id"] == "intake-7f3a"
    assert NIK not in json_logs.text
    assert requestid.get_request_id() is None
