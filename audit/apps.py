from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail (UU PDP Pasal 31). The bottom layer: it imports no other project app."""

    name = "audit"
    verbose_name = _("Jejak audit")
