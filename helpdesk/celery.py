"""The Celery app. Settings come from Django's (CELERY_ namespace); tasks are found in the apps."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("sinkron")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
