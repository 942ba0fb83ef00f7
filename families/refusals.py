"""A family refusal in people's words: what the centre found wrong, member by member, and what to do.

The centre names members by their NIK; we keep and show only the last four digits. The same words
go on every member's timeline (written once, in the office's language) and on the group's page
(said again in its reader's language).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.nik import mask_last4

# A member's error code -> what it means and what the office does about it.
MEMBER_PROBLEMS = {
    "not_in_family": gettext_lazy(
        "NIK %(nik)s tidak tercatat sebagai anggota KK ini di pusat: periksa apakah ia memang anggota KK baru"
    ),
    "family_member_missing": gettext_lazy(
        "anggota KK ini di pusat (NIK %(nik)s) tidak ikut diajukan: tambahkan anggota itu ke pengaduan keluarga"
    ),
    "documents_required": gettext_lazy(
        "NIK %(nik)s belum tercatat di pusat: penduduk perlu membawa dokumen kependudukannya"
    ),
    "nik_duplicate": gettext_lazy("NIK %(nik)s ganda: ajukan penghapusan data ganda ke pusat"),
    "nik_blocked": gettext_lazy(
        "NIK %(nik)s diblokir karena belum perekaman KTP-el: lakukan perekaman KTP-el"
    ),
    "nik_inactive": gettext_lazy("NIK %(nik)s nonaktif: aktivasi di loket dengan KTP-el"),
}
OTHER_MEMBER_PROBLEM = gettext_lazy("NIK %(nik)s ditolak pusat")

# A refusal of the whole family that names no member.
FAMILY_PROBLEMS = {
    "documents_required": gettext_lazy(
        "Nomor KK ini belum dikenal di pusat: KK baru diterbitkan di kantor dengan dokumennya"
    ),
}


def member_problem(member: dict, names: dict | None = None) -> str:
    """Return one member's problem ({"last4", "error"}) in words, after their name when `names`
    ({last4: name}) knows it."""
    text = str(MEMBER_PROBLEMS.get(member.get("error", ""), OTHER_MEMBER_PROBLEM))
    text %= {"nik": mask_last4(member.get("last4", ""))}
    name = (names or {}).get(member.get("last4"))
    return f"{name}: {text}" if name else text


def refusal_problems(refusal: dict, names: dict | None = None) -> list[str]:
    """Return what the centre found wrong, one sentence per problem (never an empty list)."""
    problems = [member_problem(member, names) for member in refusal.get("members") or []]
    if problems:
        return problems
    code = refusal.get("code", "")
    if code in FAMILY_PROBLEMS:
        return [str(FAMILY_PROBLEMS[code])]
    return [_("Pusat menolak data keluarga: %(reason)s") % {"reason": refusal.get("detail") or code or "-"}]
