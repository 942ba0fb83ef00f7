"""The Celery app. Settings come from Django's (CELERY_ namespace); tasks are found in the apps."""
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("sinkron")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(dispatch_uid="helpdesk.celery.connections_before_task")
@task_postrun.connect(dispatch_uid="helpdesk.celery.connections_after_task")
def close_old_database_connections(**kwargs):
    """Treat each task like a request: keep the connection for DATABASE_CONN_MAX_AGE, drop it if broken.

    Celery's own Django fixup would close it around every task (a new PostgreSQL backend per push)
    unless CELERY_DB_REUSE_MAX is set; with it set, this restores Django's age and health rules.
    """
    from django.db import close_old_connections

    close_old_connections()
