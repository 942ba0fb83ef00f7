from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The supervisor's desk: dashboard, escalation desk, reports, subject access, retention."""

    name = "desk"
    verbose_name = _("Meja supervisor")

    def ready(self):
        from functools import partial

        from desk import centre
        from notifications import messages

        # The WhatsApp template to the centre carries the centre's own report line, in full.
        messages.use_centre_line(partial(centre.escalation_message, full=True))
