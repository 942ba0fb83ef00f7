"""The sync panel's words: what each call to the centre meant, said the way people say it.

The one mapping from SyncAttempt rows (operation, outcome, HTTP status, error code) and a job's
last error to sentences a clerk reads; nothing else on the page shows codes such as `found (200)`.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sync.models import SyncAttempt, SyncJob

Op = SyncAttempt.Operation

# (operation, outcome) -> words, for the outcomes whose meaning depends on the call.
_BY_CALL = {
    (Op.PUSH, "accepted"): gettext_lazy("Data diterima pusat"),
    (Op.PUSH, "familyrefused"): gettext_lazy("Pusat menolak pembaruan KK keluarga seluruhnya"),
    (Op.UPDATE_STATUS, "updatestate"): gettext_lazy("Status pembaruan diperiksa di pusat"),
    (Op.UPDATE_STATUS, "notfound"): gettext_lazy("Pusat tidak menemukan pembaruan; data dikirim ulang"),
    (Op.RESIDENT, "found"): gettext_lazy("Data di pusat belum berubah"),
    (Op.RESIDENT, "notfound"): gettext_lazy("NIK belum ada di data pusat"),
    (Op.EXPEDITE, "updatestate"): gettext_lazy("Permintaan jalur darurat diterima pusat"),
    (Op.REACTIVATE, "found"): gettext_lazy("NIK diaktifkan kembali di pusat"),
    (Op.PORTAL, "portal_current"): gettext_lazy("Portal sudah menampilkan data terbaru"),
    (Op.PORTAL, "portal_behind"): gettext_lazy("Portal belum menampilkan data terbaru"),
    (Op.PORTAL, "notfound"): gettext_lazy("Portal belum mengenal data ini"),
}

# Error codes the registry client records (sync.registry), in people's words.
_PROBLEMS = {
    "timeout": gettext_lazy("Pusat tidak menjawab tepat waktu"),
    "circuit_open": gettext_lazy("Pengiriman ditahan sebentar karena pusat sedang bermasalah"),
    "rate_limited": gettext_lazy("Pusat sedang sibuk"),
    "http_429": gettext_lazy("Pusat sedang sibuk"),
    "request_in_flight": gettext_lazy("Pusat masih memproses kiriman sebelumnya"),
    # The centre's refusals that need an action (sync.registry.REFUSAL_CODES).
    "nik_duplicate": gettext_lazy("Pusat menolak: NIK ganda"),
    "nik_blocked": gettext_lazy("Pusat menolak: NIK diblokir (belum perekaman KTP-el)"),
    "nik_inactive": gettext_lazy("Pusat menolak: NIK nonaktif"),
    "documents_required": gettext_lazy("Pusat menolak: NIK belum tercatat, dokumen diperlukan"),
    "family_refused": gettext_lazy("Pusat menolak pembaruan KK seluruhnya"),
}
_UNREACHABLE = gettext_lazy("Pusat tidak dapat dihubungi")
_DEFECT = gettext_lazy("Kesalahan sistem saat menghubungi pusat; laporkan ke petugas TI")


@dataclass(frozen=True)
class AttemptLine:
    attempt: SyncAttempt
    words: str


def describe_attempts(job: SyncJob, attempts) -> list[AttemptLine]:
    """Return the attempts (newest first) with their words; the newest says when the next try is."""
    lines, resident_seen = [], False
    for index, attempt in enumerate(attempts):
        matched = job.verified_at is not None and not resident_seen  # the centre matched, portal or not
        words = attempt_words(attempt, matched=matched and attempt.operation == Op.RESIDENT)
        resident_seen = resident_seen or attempt.operation == Op.RESIDENT
        if index == 0 and job.is_active:
            words = _with_next_step(words, attempt, job)
        lines.append(AttemptLine(attempt, words))
    return lines


def attempt_words(attempt: SyncAttempt, *, matched: bool = False) -> str:
    """Return what one call meant; `matched`: this resident read is the one that verified the job."""
    if matched and attempt.outcome == "found":
        return _("Data di pusat sudah sesuai")
    if attempt.outcome in ("retry", "refused"):
        return problem_words(attempt.error or f"http_{attempt.status_code}")
    if attempt.outcome == "defect":
        return str(_DEFECT)
    if attempt.outcome == "rejected" or (attempt.outcome == "updatestate" and attempt.error):
        return _("Pusat menolak data: %(reason)s") % {"reason": attempt.error or "-"}
    words = _BY_CALL.get((attempt.operation, attempt.outcome))
    return str(words) if words else _("Jawaban pusat tidak dikenali")


def problem_words(error: str) -> str:
    """Return a job's or attempt's error in people's words; a sentence we wrote stays as it is."""
    return str(problem_label(error))


def problem_label(error: str):
    """Return `error` in people's words, lazily (a timeline EventText stores it as its msgid)."""
    if " " in error:
        return error
    if error in _PROBLEMS:
        return _PROBLEMS[error]
    if error.startswith("http_4"):
        return _DEFECT
    return _UNREACHABLE


def _with_next_step(words: str, attempt: SyncAttempt, job: SyncJob) -> str:
    when = _wib(job.next_attempt_at)
    if attempt.outcome == "retry":
        return _("%(words)s (akan dicoba lagi %(when)s)") % {"words": words, "when": when}
    if attempt.operation in (Op.RESIDENT, Op.PORTAL):
        return _("%(words)s (dicek lagi %(when)s)") % {"words": words, "when": when}
    return words


def _wib(moment) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return _("pukul %(time)s WIB") % {"time": local.strftime("%H.%M")}
    return _("pada %(date)s pukul %(time)s WIB") % {
        "date": local.strftime("%d/%m/%Y"),
        "time": local.strftime("%H.%M"),
    }
