from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"

    def ready(self):
        from helpdesk import checks  # noqa: F401 - registers the deploy checks

        # Request ids into Celery messages and back out in the worker (helpdesk/requestid.py).
        from helpdesk.requestid import connect_celery_signals

        connect_celery_signals()

        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from helpdesk.middleware import mark_session_renewed
        from helpdesk.security import count_failed_login

        user_logged_in.connect(mark_session_renewed, dispatch_uid="helpdesk.mark_session_renewed")
        user_login_failed.connect(count_failed_login, dispatch_uid="helpdesk.count_failed_login")
