from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("Sinkronisasi pusat")

    def ready(self):
        from sync.receivers import create_job_for_new_ticket
        from tickets.signals import ticket_opened

        ticket_opened.connect(create_job_for_new_ticket, dispatch_uid="sync.create_job_for_new_ticket")
