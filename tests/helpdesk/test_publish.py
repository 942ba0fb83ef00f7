"""Publishing after commit (core.publish.publish) against a broker that is down: a real Redis
URL on a port where nothing listens, so kombu and redis-py raise what they raise in an outage."""

import logging

import pytest
from django.urls import reverse

from core.publish import publish
from helpdesk.celery import app
from notifications.models import Notification
from sync import tasks
from sync.models import SyncJob
from tests.integration.processes import free_port
from tests.ops.test_logging import INTAKE_FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    saved = app.conf.broker_url, app.conf.broker_transport_options

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "max_retries": 1, "interval_start": 0}
    yield
    reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = saved


def warnings(caplog):
    return [record for record in caplog.records if record.levelno == logging.WARNING]


def test_a_failed_publish_logs_one_warning_line_without_a_traceback_chain(broker_down, caplog):
    with caplog.at_level(logging.WARNING):
        assert publish(tasks.push, (41,), subject="job 41", then="the sweeper will retry") is False

    [line] = warnings(caplog)
    assert line.name == "sync.tasks"
    assert line.exc_info is None
    assert line.getMessage().startswith("could not publish sync.tasks.push for job 41 (OperationalError: ")
    assert line.getMessage().endswith("Connection refused.); the sweeper will retry")
    assert "\n" not in line.getMessage()


def test_a_ticket_saved_while_the_broker_is_down_logs_one_line_per_publish(
    broker_down, clerk_client, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("tickets:intake"), INTAKE_FORM)

    assert response.status_code == 302
    job, notification = SyncJob.objects.get(), Notification.objects.get()
    lines = [
        (record.name, record.getMessage().split(" (")[0], record.exc_info) for record in warnings(caplog)
    ]
    assert lines == [
        ("sync.tasks", f"could not publish sync.tasks.push for job {job.pk}", None),
        (
            "notifications.tasks",
            f"could not publish notifications.tasks.send_notification for notification {notification.pk}",
            None,
        ),
    ]


def test_an_error_that_is_not_the_brokers_keeps_its_traceback(monkeypatch, caplog):
    def bug(*args, **kwargs):
        raise TypeError("not serialisable")

    monkeypatch.setattr(tasks.push, "apply_async", bug)
    with caplog.at_level(logging.WARNING):
        assert publish(tasks.push, (42,), subject="job 42", then="the sweeper will retry") is False

    [line] = warnings(caplog)
    assert line.getMessage() == "could not publish sync.tasks.push for job 42; the sweeper will retry"
    assert line.exc_info[0] is TypeError
