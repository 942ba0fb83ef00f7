"""The portal the citizen named (Ticket.service): whether Sinkron can ask what it sees, and its name.

A ticket for a service in settings.PORTALS has two stages: the centre shows the data
(Selesai di pusat), then that portal does, or its window (PORTAL_WINDOW_SECONDS) passes first.
Any other service resolves when the centre shows the data.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.workflow import Status

# Brand names are not translated; the rest are said in the reader's language.
PORTAL_NAMES = {
    "sscasn": "SSCASN",
    "bpjs": "BPJS",
    "bank": gettext_lazy("bank"),
    "bansos": gettext_lazy("layanan bansos"),
    "pemilu": gettext_lazy("layanan Pemilu"),
}


def portal_of(service: str) -> str:
    """Return the portal code to check for `service`, or "" when no portal view exists for it."""
    return service if service in settings.PORTALS else ""


def portal_name(service: str):
    """Return how a person calls the service's portal ("SSCASN", "bank")."""
    return PORTAL_NAMES.get(service, gettext_lazy("layanan tersebut"))


def centre_applied_note(service: str) -> str:
    """Return what the ticket says once the centre shows the data ("Selesai di pusat; SSCASN ...")."""
    return _("Selesai di pusat; %(portal)s biasanya menyusul maks. %(window)s.") % {
        "portal": portal_name(service),
        "window": window_text(),
    }


def window_text() -> str:
    """Return the portal window as people say it ("3x24 jam"), from the unscaled setting."""
    days = max(1, round(settings.PORTAL_WINDOW_SECONDS / 86400))
    return f"{days}x24 jam"


def portal_advice(ticket) -> str:
    """Return what the citizen reads at the second stage (public status page): the portal follows,
    showed the data, or its window passed first."""
    values = {"portal": portal_name(ticket.service), "window": window_text()}
    if ticket.status == Status.CENTRE_APPLIED:
        return (
            _(
                "Data Anda sudah diperbarui di pusat. %(portal)s biasanya menyusul maks. %(window)s; "
                "kami memberi tahu Anda lewat SMS/WhatsApp. Anda tidak perlu datang lagi."
            )
            % values
        )
    if ticket.portal_seen_at:
        return _("Data Anda sudah tampil di %(portal)s. Silakan coba login kembali.") % values
    return (
        _(
            "Data Anda di pusat sudah benar. Bila %(portal)s masih menolak, hubungi layanan bantuan "
            "%(portal)s dan sebutkan bahwa data Dukcapil sudah diperbarui."
        )
        % values
    )
