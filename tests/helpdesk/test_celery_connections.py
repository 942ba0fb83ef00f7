"""Worker tasks keep their database connection like requests do: for DATABASE_CONN_MAX_AGE, unless broken."""

import time

from celery.signals import task_postrun, task_prerun
from django.db import connection

import helpdesk.celery  # noqa: F401 - connects the signal handlers


def a_task_runs() -> None:
    """What the worker sends around every task (other receivers, e.g. the request id, listen too)."""
    task_prerun.send(sender=None, task_id="connection-test", task=None)
    task_postrun.send(sender=None, task_id="connection-test", task=None)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_celery_keeps_connections_across_tasks(settings):
    assert settings.CELERY_DB_REUSE_MAX >= 100


def test_a_task_reuses_the_connection_of_the_task_before(transactional_db):
    connection.close()  # a fresh connection: one opened by earlier tests may be past its age already
    first = backend_pid()
    a_task_runs()
    assert backend_pid() == first


def test_a_connection_past_its_age_is_closed_after_the_task(transactional_db):
    backend_pid()
    connection.close_at = time.monotonic() - 1
    a_task_runs()
    assert connection.connection is None


def test_a_broken_connection_is_dropped_before_the_next_task(transactional_db):
    first = backend_pid()
    connection.connection.close()  # as if the server had gone away during the task
    connection.errors_occurred = True
    a_task_runs()
    assert backend_pid() != first
