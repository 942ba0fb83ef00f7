from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Pemberitahuan ke pemohon")

    def ready(self):
        from django.core import checks

        from notifications import receivers
        from notifications.checks import check_settings
        from tickets import signals

        signals.ticket_opened.connect(receivers.notify_opened, dispatch_uid="notifications.notify_opened")
        signals.ticket_status_changed.connect(
            receivers.notify_status_changed, dispatch_uid="notifications.notify_status_changed"
        )
        # Sent by the public "lost slip" page, which cannot call us (DESIGN.md §2).
        signals.code_resend_requested.connect(
            receivers.notify_code_resend, dispatch_uid="notifications.notify_code_resend"
        )
        checks.register(check_settings)
