"""Why the centre refused a ticket for a reason no retry clears, and what each reason asks of whom.

One place for the words: the ticket page (what happened, what the clerk does next), the timeline,
the citizen's status page and the notification all read them from here, so they never disagree
and no machine code reaches a person.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tickets.texts import EventText
from tickets.workflow import Status


class Block(models.TextChoices):
    NIK_DUPLICATE = "nik_duplicate", _("NIK ganda")
    NIK_BLOCKED = "nik_blocked", _("NIK diblokir")
    NIK_INACTIVE = "nik_inactive", _("NIK nonaktif")
    DOCUMENTS_REQUIRED = "documents_required", _("Dokumen diperlukan")
    FAMILY_REFUSED = "family_refused", _("KK ditolak pusat")


# A ticket saved before blocks were recorded, or with one we do not know: the citizen brings documents.
DEFAULT = Block.DOCUMENTS_REQUIRED

# The clerk's action that clears each block (names match tickets.permissions and the sync views):
# the centre's personnel must act (escalate), the office asks the centre to reactivate the NIK
# (reactivate), or the data goes again, with what the citizen brought (resubmit).
CLERK_ACTION = {
    Block.NIK_DUPLICATE: "centre_escalate",
    Block.NIK_BLOCKED: "centre_escalate",
    Block.NIK_INACTIVE: "reactivate",
    Block.DOCUMENTS_REQUIRED: "resubmit",
    Block.FAMILY_REFUSED: "resubmit",
}

HAPPENED = {
    Block.NIK_DUPLICATE: _("Pusat menolak data: NIK ganda (ada rekaman biometrik ganda)."),
    Block.NIK_BLOCKED: _("Pusat menolak data: NIK diblokir karena belum ada perekaman KTP-el."),
    Block.NIK_INACTIVE: _("Pusat menolak data: NIK nonaktif (tidak ada transaksi lebih dari 10 tahun)."),
    Block.DOCUMENTS_REQUIRED: _("Pusat menolak data: NIK belum tercatat di pusat, dokumen diperlukan."),
    Block.FAMILY_REFUSED: _("Pusat menolak pembaruan KK seluruhnya: ada anggota keluarga yang bermasalah."),
}

CLERK_NEXT = {
    Block.NIK_DUPLICATE: _("NIK ganda: ajukan penghapusan data ganda ke pusat."),
    Block.NIK_BLOCKED: _("NIK diblokir: lakukan perekaman KTP-el / ajukan pembukaan blokir ke pusat."),
    Block.NIK_INACTIVE: _("NIK nonaktif: aktivasi di loket dengan KTP-el penduduk."),
    Block.DOCUMENTS_REQUIRED: _("Dokumen diperlukan: minta penduduk membawa dokumen, lalu kirim ulang."),
    Block.FAMILY_REFUSED: _("KK ditolak: periksa anggota keluarga yang disebut pusat, lalu kirim ulang."),
}

# What the centre's personnel are asked for when the clerk escalates (the escalation desk's message).
CENTRE_REQUEST = {
    Block.NIK_DUPLICATE: _("NIK ganda: mohon penghapusan data ganda"),
    Block.NIK_BLOCKED: _("NIK diblokir: mohon pembukaan blokir setelah perekaman KTP-el"),
}

# What the citizen is told to do or bring.
CITIZEN_BRING = {
    Block.NIK_DUPLICATE: _(
        "Data Anda tercatat ganda di pusat. Petugas kami mengajukan penghapusan data ganda; "
        "Anda tidak perlu membawa apa pun. Kami memberi tahu Anda bila sudah selesai."
    ),
    Block.NIK_BLOCKED: _(
        "NIK Anda diblokir karena belum ada perekaman KTP-el. Silakan datang ke loket untuk perekaman "
        "KTP-el (bawa KK asli)."
    ),
    Block.NIK_INACTIVE: _(
        "NIK Anda nonaktif di pusat. Silakan datang ke loket dengan membawa KTP-el dan KK asli untuk "
        "aktivasi."
    ),
    Block.DOCUMENTS_REQUIRED: _(
        "NIK Anda belum tercatat di pusat. Silakan datang ke loket dengan membawa KK asli, akta kelahiran, "
        "dan KTP-el (bila ada)."
    ),
    Block.FAMILY_REFUSED: _(
        "Pembaruan KK keluarga Anda belum dapat diproses pusat. Silakan datang ke loket dengan membawa KK "
        "asli dan KTP-el anggota keluarga."
    ),
}

# The citizen's words once the clerk has taken the block to the centre's personnel.
CITIZEN_ESCALATED = {
    Block.NIK_DUPLICATE: _(
        "Petugas kami sudah mengajukan penghapusan data ganda ke pusat. Anda tidak perlu datang lagi; "
        "kami memberi tahu Anda bila sudah selesai."
    ),
    Block.NIK_BLOCKED: _(
        "Petugas kami sudah mengajukan pembukaan blokir NIK Anda ke pusat. Kami memberi tahu Anda bila "
        "sudah selesai."
    ),
}


def block_label(code: str) -> str:
    """Return the block's name in people's words ("NIK ganda"); '' for no block."""
    return str(Block(code).label) if code in Block.values else ""


def block_message(code: str) -> EventText:
    """Return the timeline's line for a block, said again in each reader's language."""
    return EventText(gettext_noop("%(what)s"), what=HAPPENED[code])


def describe(ticket) -> dict | None:
    """Return what the ticket page says of the ticket's block (None when it has none that holds)."""
    block = ticket.centre_block
    if block not in Block.values or ticket.status not in (Status.ACTION_NEEDED, Status.ESCALATED):
        return None
    return {
        "label": block_label(block),
        "happened": HAPPENED[block],
        "next": CLERK_NEXT[block] if ticket.status == Status.ACTION_NEEDED else CENTRE_REQUEST.get(block, ""),
        "action": CLERK_ACTION[block] if ticket.status == Status.ACTION_NEEDED else "",
        "escalated": ticket.status == Status.ESCALATED,
    }
