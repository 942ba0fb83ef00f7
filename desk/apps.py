from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The supervisor's desk: dashboard, escalation desk, reports, subject access, retention."""

    name = "desk"
    verbose_name = _("Meja supervisor")
