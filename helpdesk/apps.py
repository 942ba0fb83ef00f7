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

        from django.utils.autoreload import file_changed

        file_changed.connect(forget_fragments, dispatch_uid="helpdesk.forget_fragments")


def forget_fragments(sender, file_path, **kwargs):
    """Under runserver, a template or translation edited in place reloads without a restart: the
    markup kept for reuse (settings.CACHES["template_fragments"]) goes with it. Returns nothing, so
    Django's own receivers still decide whether the process restarts."""
    if file_path.suffix in {".html", ".jinja", ".txt", ".mo"}:
        from django.core.cache import caches

        caches["template_fragments"].clear()
