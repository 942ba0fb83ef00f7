"""The texts sent to citizens: short, Indonesian by default, with masked data only.

A text carries the office, the ticket code and the public status link, and never a NIK, KK number,
phone number or name (UU PDP: a message can reach a recycled number or a shared phone).
Every string goes through gettext, so `translation.override("en")` gives English once the
catalogue has them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Notification
from tickets import blocks
from tickets.models import Ticket
from tickets.portals import portal_name, window_text

Kind = Notification.Kind

# What to "login again" to, by Ticket.service; the brand names are not translated.
SERVICE_NAMES = {
    "sscasn": "SSCASN",
    "bpjs": "BPJS",
    "bank": gettext_lazy("layanan bank"),
    "bansos": gettext_lazy("layanan bansos"),
    "pemilu": gettext_lazy("layanan Pemilu"),
}
DOCUMENTS = gettext_lazy("KK asli, KTP-el, dan dokumen pendukung (mis. buku nikah/akta)")

SUBJECTS = {
    Kind.OPENED: gettext_lazy("Pengaduan %(code)s diterima"),
    Kind.CENTRE_APPLIED: gettext_lazy("Pengaduan %(code)s: selesai di pusat"),
    Kind.RESOLVED: gettext_lazy("Pengaduan %(code)s selesai"),
    Kind.REJECTED: gettext_lazy("Pengaduan %(code)s: mohon datang ke loket"),
    Kind.ESCALATED: gettext_lazy("Pengaduan %(code)s: diteruskan ke pusat"),
    Kind.ACTION_NEEDED: gettext_lazy("Pengaduan %(code)s: perlu tindakan"),
    Kind.CODE_RESEND: gettext_lazy("Kode tiket Anda"),
    Kind.TO_CENTRE: gettext_lazy("Eskalasi tiket %(code)s"),
}
TEXTS = {
    Kind.OPENED: gettext_lazy(
        "%(office)s: Pengaduan Anda tercatat dengan kode tiket %(code)s. Data dikirim ke pusat dan "
        "diproses maks. 1x24 jam. Cek status: %(link)s"
    ),
    Kind.CENTRE_APPLIED: gettext_lazy(
        "%(office)s: Data Anda sudah diperbarui di pusat. %(portal)s biasanya menyusul maks. %(window)s; "
        "kami kabari lagi setelahnya. Tiket %(code)s: %(link)s"
    ),
    Kind.RESOLVED: gettext_lazy(
        "%(office)s: Data Anda sudah sinkron di pusat. Silakan coba login %(service)s kembali. "
        "Tiket %(code)s: %(link)s"
    ),
    Kind.REJECTED: gettext_lazy(
        "%(office)s: Pengaduan %(code)s belum dapat diproses pusat. Mohon datang ke loket dengan membawa "
        "%(documents)s. Info: %(link)s"
    ),
    Kind.ESCALATED: gettext_lazy(
        "%(office)s: Mohon maaf, perbaikan data tiket %(code)s melebihi 1x24 jam. Petugas kami sudah "
        "meneruskannya ke pusat; perkiraan selesai paling lambat 1x24 jam berikutnya. Cek status: %(link)s"
    ),
    Kind.ACTION_NEEDED: gettext_lazy(
        "%(office)s: Pengaduan %(code)s perlu tindakan. Mohon datang ke loket dengan membawa %(documents)s. "
        "Info: %(link)s"
    ),
    Kind.CODE_RESEND: gettext_lazy("%(office)s: Kode tiket Anda: %(code)s. Cek status: %(link)s"),
    Kind.TO_CENTRE: gettext_lazy(
        "Eskalasi dari %(office)s, tiket %(code)s. Mohon percepat pembaruan data: %(centre_line)s"
    ),
}
# A ticket the centre refused for a reason only an action clears (tickets.blocks): the message says
# what the citizen must do or bring, or, once the office took it to the centre, what it asked for.
BLOCK_TEXT = gettext_lazy("%(office)s: Pengaduan %(code)s: %(advice)s Info: %(link)s")


# The final message after the two stages (tickets/portals.py): the portal shows the data, or its
# window passed first.
PORTAL_SEEN_TEXT = gettext_lazy(
    "%(office)s: Data Anda sudah tampil di %(portal)s. Silakan coba login kembali. Tiket %(code)s: %(link)s"
)
WINDOW_PASSED_TEXT = gettext_lazy(
    "%(office)s: Data Anda di pusat sudah benar, tetapi %(portal)s belum menampilkannya setelah "
    "%(window)s. Bila masih ditolak, hubungi layanan bantuan %(portal)s dan sebutkan bahwa data "
    "Dukcapil sudah diperbarui. Tiket %(code)s: %(link)s"
)


# The approved WhatsApp template of each kind and the values it takes, in order. The template's
# text lives at the gateway (approved by Meta); ours above is what SMS and e-mail carry. Every
# template ends with the warning below, and so does every SMS (WhatsApp scams impersonate Dukcapil).
TEMPLATES = {
    Kind.OPENED: ("sinkron_pengaduan_diterima", ("office", "code", "link")),
    Kind.ESCALATED: ("sinkron_diteruskan_ke_pusat", ("office", "code", "link")),
    Kind.CENTRE_APPLIED: ("sinkron_selesai_di_pusat", ("office", "portal", "window", "code", "link")),
    Kind.RESOLVED: ("sinkron_selesai", ("office", "service", "code", "link")),
    Kind.REJECTED: ("sinkron_perlu_tindakan", ("office", "code", "documents", "link")),
    Kind.CODE_RESEND: ("sinkron_kode_tiket", ("office", "code", "link")),
    Kind.TO_CENTRE: ("sinkron_eskalasi_pusat", ("office", "code", "centre_line")),
}
# BLOCK_TEXT's template: what the citizen must do or bring (action needed, or what the office asked).
BLOCK_TEMPLATE = ("sinkron_tindakan", ("office", "code", "advice", "link"))

# The centre's report line (`#NIK#Nama#KK#...`, desk.centre) for TO_CENTRE, set by the desk app
# at start-up: built when the message is sent, so the outbox never holds the full NIK.
_centre_line = None


def use_centre_line(build) -> None:
    """Make `build(ticket) -> str` the report line of the messages to the centre."""
    global _centre_line
    _centre_line = build


SAFETY_NOTE = gettext_lazy("Disdukcapil tidak pernah meminta pembayaran, kata sandi, atau kode OTP.")


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    template: str = ""
    parameters: tuple[str, ...] = ()

    @property
    def text_with_safety_note(self) -> str:
        return f"{self.text} {SAFETY_NOTE}"


def status_link(ticket: Ticket) -> str:
    """Return the public status page for `ticket` (it still asks for the NIK)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("public_status") + f"?kode={ticket.code}"


def compose(kind: str, ticket: Ticket) -> Message:
    """Return the subject and text of a `kind` notification about `ticket`, in the active language."""
    values = {
        "office": ticket.office.name,
        "code": ticket.display_code,
        "link": status_link(ticket),
        "service": SERVICE_NAMES.get(ticket.service) or _("layanan tersebut"),
        "documents": DOCUMENTS,
        "portal": portal_name(ticket.service),
        "window": window_text(),
        "centre_line": _centre_line(ticket) if kind == Kind.TO_CENTRE and _centre_line else "-",
    }
    advice = _block_advice(kind, ticket)
    if advice:
        values["advice"] = advice
        text, (template, names) = str(BLOCK_TEXT) % values, BLOCK_TEMPLATE
    else:
        text, (template, names) = str(_text(kind, ticket)) % values, TEMPLATES[kind]
    return Message(
        subject=str(SUBJECTS[kind]) % values,
        text=text,
        template=template,
        parameters=tuple(str(values[name]) for name in names),
    )


def _block_advice(kind: str, ticket: Ticket) -> str:
    if kind == Kind.ACTION_NEEDED:
        return str(blocks.CITIZEN_BRING.get(ticket.centre_block, blocks.CITIZEN_BRING[blocks.DEFAULT]))
    if kind == Kind.ESCALATED and ticket.centre_block in blocks.CITIZEN_ESCALATED:
        return str(blocks.CITIZEN_ESCALATED[ticket.centre_block])
    return ""


def _text(kind: str, ticket: Ticket):
    if kind == Kind.RESOLVED and ticket.portal_seen_at:
        return PORTAL_SEEN_TEXT
    if kind == Kind.RESOLVED and ticket.portal_window_passed_at:
        return WINDOW_PASSED_TEXT
    return TEXTS[kind]
