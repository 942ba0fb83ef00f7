from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"

    def ready(self):
        # Request ids into Celery messages and back out in the worker (helpdesk/requestid.py).
        from helpdesk.requestid import connect_celery_signals

        connect_celery_signals()
