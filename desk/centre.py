"""The centre's channels and the message it asks for, as the escalation desk shows them.

The centre's emergency channels (DOMAIN.md): Halo Dukcapil 1500537, WhatsApp/SMS 0811-800-5373 with
the message `#NIK#Nama_Lengkap#Nomor_KK#No_telp#Email#permasalahan`.
"""

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tickets.blocks import CENTRE_REQUEST
from tickets.models import Office, Ticket

CENTRE_WHATSAPP = "0811-800-5373"
CENTRE_HOTLINE = "1500537"
NOTE_MAX_LENGTH = 500


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", gettext_lazy("WhatsApp 0811-800-5373")
    HALO_DUKCAPIL = "halo_dukcapil", gettext_lazy("Halo Dukcapil 1500537")
    EMAIL = "email", gettext_lazy("E-mail")


def overdue_label(ticket: Ticket, *, now: datetime | None = None) -> str:
    """Return how long `ticket` is past its SLA, in words: "lewat 5 jam", "lewat 2 hari 3 jam"."""
    now = now or timezone.now()
    if ticket.due_at is None or ticket.due_at >= now:
        return _("belum lewat SLA")
    return _("lewat %(duration)s") % {"duration": humanize_duration(now - ticket.due_at)}


def humanize_duration(delta: timedelta) -> str:
    """Return a duration in words, in its two largest units: "2 hari 3 jam", "5 jam", "12 menit"."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = ngettext("%(n)d hari", "%(n)d hari", days) % {"n": days}
        if hours:
            text += " " + ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours}
        return text
    if hours:
        return ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours}
    if minutes:
        return ngettext("%(n)d menit", "%(n)d menit", minutes) % {"n": minutes}
    return _("kurang dari 1 menit")


def escalation_message(ticket: Ticket, *, full: bool = False) -> str:
    """Return the centre's WhatsApp message: `#NIK#Nama_Lengkap#Nomor_KK#No_telp#Email#permasalahan`.

    NIK and KK are masked to their last four digits unless `full`; show the full message only
    after recording the access (citizens.services.record_access). The message is for the centre,
    so it is written in Indonesian whatever the language of the page.
    """
    citizen = ticket.citizen
    with translation.override("id"):
        problem = _("Tiket %(code)s: %(category)s") % {
            "code": ticket.display_code,
            "category": ticket.get_category_display(),
        }
        if ticket.sent_at:
            problem += _("; dikirim ke pusat %(sent)s WIB, belum sinkron melewati SLA 1x24 jam") % {
                "sent": timezone.localtime(ticket.sent_at).strftime("%d/%m/%Y %H:%M")
            }
        else:
            problem += _("; data belum diterima pusat")
        if ticket.centre_block in CENTRE_REQUEST:
            problem += "; " + str(CENTRE_REQUEST[ticket.centre_block])
    fields = [
        citizen.nik if full else citizen.masked_nik,
        "_".join(citizen.full_name.replace("#", " ").split()),
        ticket.kk_number if full else ticket.masked_kk,
        _local_phone(ticket.phone),
        ticket.email or "-",  # the e-mail is optional at intake; the centre's format accepts "-"
        problem,
    ]
    return "#" + "#".join(_field(value) for value in fields)


def _field(value: str) -> str:
    """Return one field of the message: on one line, without the `#` that separates fields."""
    return " ".join(str(value).replace("#", " ").split()) or "-"


def _local_phone(phone: str) -> str:
    """Return an E.164 Indonesian number as dialled at home: "+6281234567890" -> "081234567890"."""
    if not phone:
        return "-"
    return "0" + phone[3:] if phone.startswith("+62") else phone


def whatsapp_digits(office: Office) -> str:
    """Return the office's central WhatsApp contact as wa.me wants it: international digits only."""
    digits = "".join(ch for ch in (office.central_contact_whatsapp or CENTRE_WHATSAPP) if ch.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits
