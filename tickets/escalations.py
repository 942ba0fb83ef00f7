"""The escalation desk's domain: which tickets need the centre, the message the centre asks for,
and recording that staff contacted it.

The centre's emergency channels (DOMAIN.md): Halo Dukcapil 1500537, WhatsApp/SMS 0811-800-5373 with
the message `#NIK#Nama_Lengkap#Nomor_KK#No_telp#Email#permasalahan`.
"""

from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from citizens.nik import scrub
from tickets import services
from tickets.models import Office, Ticket, TicketEvent
from tickets.texts import EventText
from tickets.workflow import Status

CENTRE_WHATSAPP = "0811-800-5373"
CENTRE_HOTLINE = "1500537"
NOTE_MAX_LENGTH = 500


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", gettext_lazy("WhatsApp 0811-800-5373")
    HALO_DUKCAPIL = "halo_dukcapil", gettext_lazy("Halo Dukcapil 1500537")
    EMAIL = "email", gettext_lazy("E-mail")


# --- reads ---------------------------------------------------------------------------------------


def desk_tickets(office: Office, *, now: datetime | None = None) -> QuerySet:
    """Return the office's tickets that need the centre: open and past the SLA, or escalated.

    Oldest due first; each row carries its last recorded contact with the centre
    (`last_contact_at`, `last_contact_channel`, `last_contact_by`) from one correlated subquery
    each, so a page costs the same number of queries whatever its length.
    """
    now = now or timezone.now()
    contacts = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=TicketEvent.Kind.ESCALATION).order_by(
        "-created_at", "-id"
    )
    return (
        Ticket.objects.for_office(office)
        .open()
        .filter(Q(status=Status.ESCALATED) | Q(due_at__lt=now))
        .select_related("citizen", "assignee", "office")
        .annotate(
            last_contact_at=Subquery(contacts.values("created_at")[:1]),
            last_contact_channel=Subquery(contacts.values("details__channel")[:1]),
            last_contact_by=Subquery(contacts.values("actor__username")[:1]),
        )
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


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


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def record_escalation_contact(*, ticket: Ticket, actor, channel: str, note: str = "") -> TicketEvent:
    """Record that `actor` contacted the centre about `ticket` through `channel`.

    A ticket still waiting for the centre (`sent`) is escalated first; an escalated one only gets
    the contact on its timeline, so contacting twice escalates once. A note that carries a NIK or
    KK number (pasted from the message) is stored masked: the timeline holds no full numbers.
    """
    if channel not in Channel.values:
        raise services.TicketError(_("Saluran eskalasi tidak dikenal."))
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not locked.is_open:
        raise services.TicketError(_("Tiket sudah final; tidak perlu dieskalasi."))
    label = Channel(channel).label
    if locked.status == Status.SENT:
        locked = services.escalate_ticket(
            ticket=locked,
            actor=actor,
            details={"channel": channel},
            reason=EventText(gettext_noop("Dieskalasi ke petugas pusat lewat %(channel)s."), channel=label),
        )
    note = scrub(" ".join((note or "").split()))[:NOTE_MAX_LENGTH]
    if note:
        message = EventText(
            gettext_noop("Petugas pusat dihubungi lewat %(channel)s. Catatan: %(note)s"),
            channel=label,
            note=note,
        )
    else:
        message = EventText(gettext_noop("Petugas pusat dihubungi lewat %(channel)s."), channel=label)
    return services.record_escalation_event(
        ticket=locked, actor=actor, message=message, details={"channel": channel}
    )
