"""The citizen's public status page: NIK plus the ticket code from the slip, masked answers only.

Unknown NIK, unknown code and another person's code get the same answer after the same single
query. Limits per IP and per NIK (its keyed digest) are shared by every web process.
"""

import functools
import json
import logging

from django import forms
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from citizens import nik as nikparse
from citizens.models import Citizen, nik_digest
from tickets import blocks, tasks
from tickets.models import Ticket, format_ticket_code, normalize_ticket_code
from tickets.portals import portal_advice, portal_of
from tickets.ratelimit import Rate, allow_all, client_ip
from tickets.workflow import OPEN_STATUSES, Status

logger = logging.getLogger(__name__)


class NeverEchoedInput(forms.TextInput):
    """A text box that never renders its value back: a NIK is not echoed into a public page."""

    def format_value(self, value):
        return None


def _sixteen_digits(value: str) -> None:
    """Refuse a NIK of the wrong length on the pages: a typing slip worth naming, which says nothing
    about whose NIK it is. Anything more (is it registered, is it this ticket's) keeps the one
    common answer; the JSON API stays lenient as docs/openapi.yaml describes."""
    try:
        nikparse.normalize(value)
    except nikparse.InvalidNumber:
        raise forms.ValidationError(_(nikparse.NIK_FORMAT_MESSAGE), code="format") from None


def _nik_field(validators=()):
    return forms.CharField(
        label=gettext_lazy("NIK"),
        max_length=40,
        validators=list(validators),
        widget=NeverEchoedInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class StatusForm(forms.Form):
    nik = _nik_field()
    kode = forms.CharField(
        label=gettext_lazy("Kode Tiket"),
        max_length=20,
        help_text=gettext_lazy("Tertera pada tanda terima, mis. ABCDE-FGHJK."),
    )


class StatusPageForm(StatusForm):
    nik = _nik_field(validators=[_sixteen_digits])


class ResendForm(forms.Form):
    nik = _nik_field(validators=[_sixteen_digits])


# --- the answer ----------------------------------------------------------------------------------

STEPS = [
    gettext_lazy("Diterima"),
    gettext_lazy("Dikirim ke pusat"),
    gettext_lazy("Menunggu sinkronisasi (maks. 1x24 jam)"),
    gettext_lazy("Selesai"),
]
# A ticket whose portal Sinkron can ask has a fourth step before the end: the centre shows the data,
# the portal follows (tickets/portals.py). The end is the last step in both lists.
STEP_REACHED = {
    Status.NEW: 1,
    Status.ACTION_NEEDED: 2,
    Status.SENT: 3,
    Status.ESCALATED: 3,
    Status.CENTRE_APPLIED: 4,
}


def steps_of(ticket: Ticket) -> list:
    """Return the step labels the citizen sees for this ticket."""
    if not portal_of(ticket.service):
        return list(STEPS)
    return [*STEPS[:3], ticket.centre_applied_note, STEPS[3]]


SERVICE_RETRY = {
    "sscasn": "SSCASN",
    "bpjs": "BPJS",
    "bank": gettext_lazy("layanan bank"),
    "bansos": gettext_lazy("layanan bansos"),
    "pemilu": gettext_lazy("layanan Pemilu"),
}
DOCUMENTS = gettext_lazy("KK asli, KTP-el, dan dokumen pendukung (mis. buku nikah atau akta)")


def mask_name(full_name: str) -> str:
    """Mask a name word by word, keeping first and last letters ("Budi Santoso" -> "B**i S*****o")."""

    def word(w: str) -> str:
        return w[0] + "*" * (len(w) - 1) if len(w) <= 2 else w[0] + "*" * (len(w) - 2) + w[-1]

    return " ".join(word(w) for w in full_name.split())


def advice(ticket: Ticket) -> str:
    """Return what the citizen should do now, by status (and, once resolved, by how it ended)."""
    if ticket.status in (Status.CENTRE_APPLIED, Status.RESOLVED) and ticket.centre_applied_at:
        return portal_advice(ticket)
    if ticket.status == Status.RESOLVED:
        return _("Data Anda sudah sinkron di pusat. Silakan coba login %(service)s kembali.") % {
            "service": SERVICE_RETRY.get(ticket.service, _("layanan yang menolak Anda"))
        }
    if ticket.status == Status.REJECTED:
        return _("Pusat menolak perubahan data. Silakan datang ke loket dengan membawa %(documents)s.") % {
            "documents": DOCUMENTS
        }
    if ticket.status == Status.CLOSED:
        return _("Pengaduan ini ditutup. Hubungi loket Disdukcapil bila masih ada kendala.")
    if ticket.status == Status.ACTION_NEEDED:
        return str(blocks.CITIZEN_BRING.get(ticket.centre_block, blocks.CITIZEN_BRING[blocks.DEFAULT]))
    if ticket.status == Status.ESCALATED and ticket.centre_block in blocks.CITIZEN_ESCALATED:
        return str(blocks.CITIZEN_ESCALATED[ticket.centre_block])
    if ticket.status == Status.ESCALATED:
        return _(
            "Mohon maaf, sinkronisasi melebihi 1x24 jam. Petugas kami sudah meneruskannya ke pusat; "
            "perkiraan selesai paling lambat 1x24 jam berikutnya. Anda tidak perlu datang lagi."
        )
    return _(
        "Tidak perlu datang lagi ke loket. Kami memberi tahu Anda lewat SMS/WhatsApp bila sudah selesai."
    )


def public_answer(ticket: Ticket) -> dict:
    """Return the masked answer the public page and the JSON endpoint show. No NIK, KK, phone or staff."""
    steps = steps_of(ticket)
    reached = len(steps) if ticket.status == Status.RESOLVED else STEP_REACHED.get(ticket.status, 0)
    # No promised time while the centre waits for the citizen or the office to act.
    waiting = ticket.status == Status.ACTION_NEEDED or ticket.centre_block in blocks.CITIZEN_ESCALATED
    expected = ticket.due_at if ticket.status in OPEN_STATUSES and not waiting else None
    if ticket.status == Status.ESCALATED and expected:
        expected = max(expected, timezone.now()) + (expected - (ticket.sent_at or ticket.created_at))
    if ticket.status == Status.CENTRE_APPLIED:
        expected = ticket.portal_due_at
    return {
        "code": ticket.display_code,
        "name": mask_name(ticket.citizen.full_name),
        "category": str(ticket.get_category_display()),
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "steps": [
            {"label": str(label), "done": index < reached, "current": index == reached - 1}
            for index, label in enumerate(steps)
        ],
        "last_change": ticket.updated_at,
        "expected": expected,
        "advice": advice(ticket),
    }


# --- lookups -------------------------------------------------------------------------------------


# What the answer shows, and nothing more: no encrypted column is read (or decrypted) here.
_PUBLIC_COLUMNS = (
    "id",
    "code",
    "citizen_id",
    "category",
    "service",
    "status",
    "centre_block",
    "created_at",
    "updated_at",
    "sent_at",
    "due_at",
    "centre_applied_at",
    "portal_seen_at",
    "portal_window_passed_at",
)


@functools.cache
def _lookup_sql() -> str:
    """The lookup, written once: one probe of the code's unique index joined to the citizen.

    Written by hand because it is the hottest public query: building it with the ORM cost 0.3 of
    the lookup's 1.6 ms CPU (`python -m bench.profile status_json`); `raw()` still converts the
    values as the ORM does, on every database."""
    ticket, citizen, quote = Ticket._meta.db_table, Citizen._meta.db_table, connection.ops.quote_name
    columns = ", ".join(f"t.{quote(column)}" for column in _PUBLIC_COLUMNS)
    return (
        f"SELECT {columns}, c.{quote('full_name')} AS citizen_full_name FROM {quote(ticket)} t "
        f"JOIN {quote(citizen)} c ON c.{quote('id')} = t.{quote('citizen_id')} "
        f"WHERE t.{quote('code')} = %s AND c.{quote('nik_digest')} = %s LIMIT 1"
    )


def find_ticket(nik: str, code: str) -> Ticket | None:
    """Return the ticket only when both the NIK and the code match it; None otherwise."""
    # A NIK that is no NIK has a digest nothing matches: every failed lookup runs the same
    # statement as a found one.
    for ticket in Ticket.objects.raw(_lookup_sql(), [normalize_ticket_code(code), _digest_or_blank(nik)]):
        ticket.citizen = Citizen(id=ticket.citizen_id, full_name=ticket.citizen_full_name)
        return ticket
    return None


def _digest_or_blank(nik: str) -> str:
    try:
        return nik_digest(nik)
    except nikparse.InvalidNumber:
        return "invalid"


def _within_limits(request, nik: str, *, per_ip: str, per_nik: str, scope: str) -> bool:
    ip = client_ip(request, trust_forwarded=settings.TRUST_X_FORWARDED_FOR)
    # Count both, always, so a blocked IP cannot probe NIKs and vice versa.
    return all(
        allow_all(
            [
                (f"{scope}:ip:{ip}", Rate.parse(per_ip)),
                (f"{scope}:nik:{_digest_or_blank(nik)}", Rate.parse(per_nik)),
            ]
        )
    )


def _status_allowed(request, nik: str) -> bool:
    """Count the look-up against the IP's limit; refuse a NIK with too many *failed* look-ups."""
    ip = client_ip(request, trust_forwarded=settings.TRUST_X_FORWARDED_FOR)
    return status_lookup_allowed(f"ip:{ip}", nik)


def status_lookup_allowed(client: str, nik: str) -> bool:
    """Count a look-up against `client`'s limit (STATUS_RATE_PER_IP; "ip:<address>" on the page,
    "wa:<digest>" on WhatsApp); refuse a NIK with too many *failed* look-ups.

    Only failures count for the NIK (`_count_failed_lookup`): the citizen checking her own ticket
    again and again never uses up her NIK's allowance, while guessing codes for a NIK still does.
    """
    return all(
        allow_all(
            [(f"status:{client}", Rate.parse(settings.STATUS_RATE_PER_IP))],
            watch=[(_failed_lookups_key(nik), Rate.parse(settings.STATUS_RATE_PER_NIK))],
        )
    )


def lookup_status(*, client: str, nik: str, code: str) -> tuple[str, dict | None]:
    """The page's look-up for other channels: ("limited", None), ("not_found", None) or
    ("found", the masked answer), under the same limits as the page."""
    if not status_lookup_allowed(client, nik):
        return "limited", None
    ticket = find_ticket(nik, code)
    if ticket is None:
        _count_failed_lookup(nik)
        return "not_found", None
    return "found", public_answer(ticket)


def _count_failed_lookup(nik: str) -> None:
    allow_all([(_failed_lookups_key(nik), Rate.parse(settings.STATUS_RATE_PER_NIK))])


def _failed_lookups_key(nik: str) -> str:
    return f"status:nik-failed:{_digest_or_blank(nik)}"


def _too_many(request, template: str, context: dict):
    context["limited"] = True
    return render(request, template, context, status=429)


# --- views ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """Ask NIK + code (the code may come pre-filled from the slip's QR); the NIK only by POST."""
    if request.method == "GET":
        code = normalize_ticket_code(request.GET.get("kode", ""))[:20]
        form = StatusPageForm(initial={"kode": format_ticket_code(code)})
        return render(request, "tickets/public_status.html", {"form": form})
    form = StatusPageForm(request.POST)
    context = {"form": form}
    if not form.is_valid():
        return render(request, "tickets/public_status.html", context)
    nik = form.cleaned_data["nik"]
    if not _status_allowed(request, nik):
        return _too_many(request, "tickets/public_status.html", context)
    ticket = find_ticket(nik, form.cleaned_data["kode"])
    if ticket is None:
        _count_failed_lookup(nik)
    context.update(asked=True, answer=public_answer(ticket) if ticket else None)
    return render(request, "tickets/public_status.html", context)


# A real request is under 100 bytes; refusing anything over 2 KB before parsing keeps a deeply
# nested body (RecursionError in json.loads) or a huge one from costing the server anything.
STATUS_BODY_LIMIT = 2048


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _json_object(body: bytes) -> dict | None:
    """Return the body's JSON object, or None for anything else (malformed, not an object)."""
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _body_too_large():
    return JsonResponse(
        {"error": "too_large", "message": _("Permintaan terlalu besar. Kirim hanya nik dan kode.")},
        status=413,
    )


@never_cache
@csrf_exempt  # a JSON API for kiosks and chatbots: no cookies, no session, nothing to forge
@require_POST
def status_json(request):
    """The same lookup as the page, as JSON: POST {"nik": "...", "kode": "..."}."""
    if _declared_length(request) > STATUS_BODY_LIMIT:
        return _body_too_large()
    body = request.body
    if len(body) > STATUS_BODY_LIMIT:  # no or a false Content-Length
        return _body_too_large()
    body = _json_object(body)
    if body is None:
        return JsonResponse(
            {"error": "invalid_json", "message": _("Kirim JSON berisi nik dan kode.")}, status=400
        )
    not_text = {
        name: [_("Isi berupa teks.")] for name in ("nik", "kode") if not isinstance(body.get(name, ""), str)
    }
    if not_text:
        return JsonResponse({"error": "invalid", "fields": not_text}, status=400)
    form = StatusForm({"nik": body.get("nik", "")[:40], "kode": body.get("kode", "")[:20]})
    if not form.is_valid():
        return JsonResponse(
            {"error": "invalid", "fields": {k: [str(e) for e in v] for k, v in form.errors.items()}},
            status=400,
        )
    nik = form.cleaned_data["nik"]
    if not _status_allowed(request, nik):
        return JsonResponse({"error": "rate_limited", "message": too_many_text()}, status=429)
    ticket = find_ticket(nik, form.cleaned_data["kode"])
    if ticket is None:
        _count_failed_lookup(nik)
        return JsonResponse({"found": False, "message": not_found_text()})
    answer = public_answer(ticket)
    answer["last_change"] = answer["last_change"].isoformat()
    answer["expected"] = answer["expected"].isoformat() if answer["expected"] else None
    return JsonResponse({"found": True, **answer})


@never_cache
@require_http_methods(["GET", "POST"])
def resend_code(request):
    """Lost slip: send the ticket code again to the phone on record. The answer is always the same."""
    form = ResendForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        nik = form.cleaned_data["nik"]
        if not _within_limits(
            request,
            nik,
            per_ip=settings.RESEND_RATE_PER_IP,
            per_nik=settings.RESEND_RATE_PER_NIK,
            scope="resend",
        ):
            return _too_many(request, "tickets/public_resend.html", context)
        _publish_resend(_digest_or_blank(nik))
        context["sent"] = True
    return render(request, "tickets/public_resend.html", context)


def _publish_resend(digest: str) -> None:
    """Hand the look-up to a worker: one publish, no query, whatever the NIK (see tickets.tasks)."""
    try:
        tasks.resend_code.apply_async((digest,), retry=False)
    except Exception:  # noqa: BLE001 - any broker error: the citizen may simply ask again
        logger.warning("could not publish a lost-slip code resend", exc_info=True)


def not_found_text() -> str:
    return _("Data tidak ditemukan. Periksa kembali NIK dan kode tiket pada tanda terima Anda.")


def too_many_text() -> str:
    return _("Terlalu banyak permintaan. Silakan coba lagi beberapa menit lagi.")
