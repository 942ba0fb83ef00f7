"""What a citizen's message asks for, and the words of our answers (Indonesian; masked data only).

The answers ask for nothing but the ticket code and the NIK, and each ends with the warning that
Disdukcapil never asks for payment, passwords or OTP codes (WhatsApp scams impersonate Dukcapil).
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens import nik as nikparse
from tickets.models import format_ticket_code, normalize_ticket_code
from tickets.public_views import not_found_text, too_many_text

_CEK = re.compile(r"^\s*cek\b[\s:#-]*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_STOP = {"berhenti", "stop", "unsubscribe"}


@dataclass(frozen=True)
class Intent:
    kind: str  # "cek", "nik", "stop" or "help" (InboundMessage.Intent)
    code: str = ""
    nik: str = ""


def read(text: str) -> Intent:
    """Return what `text` asks: "CEK <kode> [NIK]", a bare NIK, "BERHENTI", or anything else."""
    text = (text or "").strip()
    if text.lower() in _STOP:
        return Intent("stop")
    match = _CEK.match(text)
    if match:
        words = match["rest"].split()
        code = normalize_ticket_code(words[0]) if words else ""
        nik = _nik_in("".join(words[1:]))
        return Intent("cek", code=code, nik=nik) if len(code) == 10 else Intent("help")
    nik = _nik_in(text)
    return Intent("nik", nik=nik) if nik else Intent("help")


def _nik_in(text: str) -> str:
    try:
        return nikparse.normalize(text) if text else ""
    except nikparse.InvalidNumber:
        return ""


def _footer() -> str:
    return _("Disdukcapil tidak pernah meminta pembayaran, kata sandi, atau kode OTP.")


def ask_nik(code: str) -> str:
    return _(
        "Untuk melihat status tiket %(code)s, balas dengan NIK (16 digit) pemilik tiket. "
        "Kami tidak meminta data lain. %(footer)s"
    ) % {"code": format_ticket_code(code), "footer": _footer()}


def help_text() -> str:
    return _(
        "Halo, ini layanan WhatsApp %(office)s. Ketik CEK <kode tiket> (kode pada tanda terima, "
        "mis. CEK ABCDE-FGHJK) untuk melihat status pengaduan Anda. Jam layanan loket: %(hours)s. "
        "%(footer)s"
    ) % {
        "office": settings.WHATSAPP_OFFICE_NAME,
        "hours": settings.WHATSAPP_OFFICE_HOURS,
        "footer": _footer(),
    }


def stopped_text() -> str:
    return _("Anda tidak akan menerima pesan WhatsApp lagi dari kami. Ketik CEK <kode tiket> kapan saja.")


def answer_text(outcome: str, answer: dict | None) -> str:
    """Put the look-up's outcome in words: the same answer as /cek-status/, masked."""
    if outcome == "limited":
        return f"{too_many_text()} {_footer()}"
    if outcome != "found":
        return f"{not_found_text()} {_footer()}"
    lines = [
        _("Tiket %(code)s atas nama %(name)s") % {"code": answer["code"], "name": answer["name"]},
        _("Status: %(status)s") % {"status": answer["status_label"]},
    ]
    if answer["expected"]:
        when = timezone.localtime(answer["expected"]).strftime("%d/%m/%Y %H:%M")
        lines.append(_("Perkiraan selesai: %(when)s WIB") % {"when": when})
    lines += [answer["advice"], _footer()]
    return "\n".join(lines)
