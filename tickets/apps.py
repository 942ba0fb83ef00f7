from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Pengaduan")

    def ready(self):
        from tickets.roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="tickets.ensure_groups")
