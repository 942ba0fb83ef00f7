"""Staff pages: intake, queue, ticket detail and its actions, the printable slip."""

import functools
import json

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from citizens import nik as nikparse
from citizens import numbers
from citizens.services import record_access
from core.pagination import CappedPaginator
from core.scoping import scope_of
from tickets import blocks, selectors, services
from tickets.alerts import mark_alerts_read
from tickets.bulk import BulkQueueForm
from tickets.decorators import staff_required, writes
from tickets.forms import (
    KK_IS_NIK_MESSAGE,
    AssignForm,
    IntakeForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
    nik_mismatches,
)
from tickets.permissions import REASON_ACTIONS, allowed_actions, may_open_ticket, role_actions
from tickets.signals import intake_parts_requested, ticket_page_parts_requested
from tickets.workflow import IllegalTransition, Status


@staff_required
@require_http_methods(["GET", "POST"])
@writes
def intake(request):
    office = scope_of(request.user).office
    form = IntakeForm(request.POST or None)
    parts = [part for _receiver, part in intake_parts_requested.send(sender=None, request=request) if part]
    duplicate = None
    # Every part is checked even when the form is not, so all the errors show at once.
    if request.method == "POST" and all([form.is_valid(), *(part.is_valid() for part in parts)]):
        try:
            ticket = _open_with_parts(request, office, form, parts)
        except services.DuplicateOpenTicket as exc:
            duplicate = exc.existing if may_open_ticket(request.user, exc.existing) else None
            form.add_error("category", _duplicate_message(exc.existing, shown=duplicate is not None))
        else:
            messages.success(
                request, _("Pengaduan tersimpan dengan kode %(code)s.") % {"code": ticket.display_code}
            )
            return redirect("tickets:detail", code=ticket.code)
    context = {"form": form, "duplicate": duplicate, "intake_parts": parts}
    return render(request, "tickets/intake.html", context)


@transaction.atomic
def _open_with_parts(request, office, form, parts):
    """Open the ticket and save what the intake parts hold, in one transaction."""
    ticket = services.open_ticket(office=office, created_by=request.user, complaint=form.complaint())
    for part in parts:
        part.save(ticket=ticket, actor=request.user)
    return ticket


def _duplicate_message(existing, *, shown: bool) -> str:
    """Name the open ticket only to someone who may open it; otherwise name only its office."""
    if shown:
        return _("Masih ada pengaduan terbuka untuk NIK dan kategori ini: %(code)s.") % {
            "code": existing.display_code
        }
    return _("Masih ada pengaduan terbuka untuk NIK dan kategori ini di %(office)s.") % {
        "office": existing.office.name
    }


@staff_required
@require_POST
@writes
def nik_check(request):
    """Return what a NIK says (region, sex, birth date) as a fragment, for the intake form.

    POST, so the NIK never travels in a URL or an access log.
    """
    context = {}
    try:
        info = nikparse.parse_nik(request.POST.get("nik", ""))
    except nikparse.InvalidNumber as exc:
        context["error"] = numbers.error_text(exc)
    else:
        context["info"] = info
        context["likely_birth_date"] = info.likely_birth_date(timezone.localdate())
        context["warnings"] = numbers.warning_texts(info.warnings) + _typed_disagreements(info, request.POST)
    return render(request, "tickets/includes/nik_info.html", context)


def _typed_disagreements(info, data) -> list[str]:
    form = IntakeForm(data)
    form.is_valid()  # only the typed birth date and sex are read below
    typed = form.cleaned_data
    mismatches = nik_mismatches(info, birth_date=typed.get("birth_date"), sex=typed.get("sex"))
    return [str(services.NIK_MISMATCH_TEXTS[field]) for field in mismatches]


@staff_required
@require_POST
@writes
def kk_check(request):
    """Return what is wrong with a typed KK number as a fragment, for the intake form (POST)."""
    context = {}
    try:
        info = nikparse.parse_kk(request.POST.get("kk_number", ""))
    except nikparse.InvalidNumber as exc:
        context["error"] = numbers.error_text(exc)
    else:
        if info.number == _nik_digits(request.POST.get("nik", "")):
            context["error"] = str(KK_IS_NIK_MESSAGE)
        else:
            context["warnings"] = numbers.warning_texts(info.warnings)
    return render(request, "tickets/includes/kk_info.html", context)


def _nik_digits(text: str) -> str | None:
    try:
        return nikparse.normalize(text)
    except nikparse.InvalidNumber:
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def queue(request):
    """List tickets. A search (a name or NIK digits) comes by POST so it never sits in a URL.

    An htmx request (the page's auto-refresh) gets the results fragment only.
    """
    searching = request.method == "POST"
    return render_queue(request, request.POST if searching else request.GET, searching=searching)


def render_queue(request, data, *, searching: bool, bulk_form=None, status: int = 200):
    """Render the queue for the filters (and search) in `data`; the bulk view re-renders it too."""
    form = QueueFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {}
    search = filters.get("q", "") if searching else ""
    tickets = selectors.queue(request.user, filters=filters, search=search)
    paginator = CappedPaginator(
        tickets,
        settings.TICKETS_PER_PAGE,
        cap=selectors.SEARCH_COUNT_CAP if search else None,
        rows=selectors.queue_rows,
    )
    page = paginator.get_page(data.get("page"))
    query = data.copy() if not searching else request.GET.copy()
    for name in ("page", "q", "csrfmiddlewaretoken"):
        query.pop(name, None)
    bulk_form = bulk_form or BulkQueueForm(user=request.user)
    context = {
        "form": form,
        "page": page,
        "paginator": paginator,
        "searching": bool(search),
        "search_label": selectors.search_label(search),
        "search_echo": selectors.search_echo(form.data.get("q", "")) if searching else "",
        "querystring": query.urlencode(),
        "refresh": _queue_refresh(search, page, query),
        "refresh_seconds": settings.QUEUE_REFRESH_SECONDS,
        "bulk_form": bulk_form,
        "ticked": set(bulk_form["tickets"].value() or []) if bulk_form.is_bound else set(),
    }
    # The rows (and, for a whole page, the body) by Jinja2; a copy of the context, as Jinja2's
    # backend writes its own csrf_token into the dict it is given.
    if request.headers.get("HX-Request"):
        response = HttpResponse(
            render_to_string("tickets/queue_results.jinja", {**context}, request), status=status
        )
    else:
        body = render_to_string("tickets/queue_page.jinja", {**context}, request)
        context["body"] = mark_safe(body)  # noqa: S308 - rendered by Jinja2 with autoescape
        response = render(request, "tickets/queue.html", context, status=status)
    if searching:
        response["Cache-Control"] = "no-store"  # a name or NIK digits were typed: keep no copy
    return response


def _queue_refresh(search: str, page, query) -> dict | None:
    """Return how the results fragment reloads itself: the same filters, search and page.

    A full-NIK search does not refresh: the NIK would have to sit in the page to be sent again.
    """
    if search and selectors.search_kind(search) == "nik":
        return None
    if search:
        return {"method": "post", "vals": json.dumps({"q": search, "page": page.number})}
    query = query.copy()
    query["page"] = page.number
    return {"method": "get", "url": reverse("tickets:queue") + "?" + query.urlencode()}


@staff_required
@require_http_methods(["GET"])
def alerts(request):
    """List the user's alerts (tickets given to them, theirs escalated), newest first."""
    paginator = CappedPaginator(selectors.alerts_for(request.user), settings.TICKETS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "tickets/alerts.html", {"page": page, "paginator": paginator})


@staff_required
@require_POST
def alerts_read(request):
    """Mark one alert (`alert`) or all of the user's alerts read."""
    alert_id = request.POST.get("alert", "")
    ids = [int(alert_id)] if alert_id.isdigit() else None
    count = mark_alerts_read(user=request.user, alert_ids=ids)
    if count:
        messages.success(
            request,
            ngettext(
                "%(n)s pemberitahuan ditandai sudah dibaca.",
                "%(n)s pemberitahuan ditandai sudah dibaca.",
                count,
            )
            % {"n": count},
        )
    page = request.POST.get("page", "")
    url = reverse("tickets:alerts")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@staff_required
def detail(request, code):
    ticket = selectors.get_ticket_for_user(request.user, code)
    kept = request.session.pop(_kept_key(ticket), None) or {}
    forms = {
        "note_form": NoteForm(initial={"text": kept["note"]}) if "note" in kept else None,
        "reason_form": ReasonForm(initial={"reason": kept["reason"]}) if "reason" in kept else None,
    }
    return render(request, "tickets/detail.html", detail_context(request, ticket, **forms))


def detail_context(request, ticket, **forms):
    """Return what the ticket page shows; the sync panel reuses it to refresh the page's parts."""
    actions = allowed_actions(request.user, ticket)
    context = {
        "ticket": ticket,
        "citizen": ticket.citizen,
        "events": selectors.timeline(ticket),
        "actions": actions,
        "note_form": forms.get("note_form") or NoteForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "reason_actions": bool(actions & REASON_ACTIONS),
        "blocked": blocks.describe(ticket),  # not "block": the {% block %} tag owns that name
        # Called by the template, so the page parts are built only where the page shows them.
        "page_parts": functools.partial(page_parts, request, ticket),
    }
    if "assign" in actions:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            staff_queryset=selectors.staff_of_office(ticket.office_id),
            initial={"assignee": ticket.assignee_id},
        )
    return context


def page_parts(request, ticket) -> list[str]:
    """Return the HTML other apps add to the ticket page (see ticket_page_parts_requested)."""
    replies = ticket_page_parts_requested.send(sender=None, request=request, ticket=ticket)
    return [html for _receiver, html in replies if html]


@staff_required
@require_POST
@writes
def reveal_nik(request, code):
    """Show the full NIK to staff who need it, and record that they saw it."""
    ticket = selectors.get_ticket_for_user(request.user, code)
    record_access(
        citizen=ticket.citizen,
        viewer=request.user,
        purpose=f"ticket {ticket.code}",
        ip=request.META.get("REMOTE_ADDR", ""),
        ticket=ticket,
    )
    return render(request, "tickets/includes/nik_full.html", {"citizen": ticket.citizen})


def _note(request, ticket):
    form = NoteForm(request.POST)
    if not form.is_valid():
        return {"note_form": form}
    services.add_note(ticket=ticket, actor=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("Catatan ditambahkan."))
    return None


def _take(request, ticket):
    services.assign_ticket(ticket=ticket, actor=request.user, assignee=request.user)
    messages.success(request, _("Tiket sekarang Anda tangani."))


def _assign(request, ticket):
    form = AssignForm(request.POST, staff_queryset=selectors.staff_of_office(ticket.office_id))
    if not form.is_valid():
        return {"assign_form": form}
    services.assign_ticket(ticket=ticket, actor=request.user, assignee=form.cleaned_data["assignee"])
    messages.success(request, _("Petugas diperbarui."))
    return None


def _with_reason(service, done_message):
    def handler(request, ticket):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return {"reason_form": form}
        service(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, done_message)
        return None

    return handler


ACTIONS = {
    "note": _note,
    "take": _take,
    "assign": _assign,
    "resolve": _with_reason(services.resolve_ticket, gettext_lazy("Tiket ditandai selesai.")),
    "reject": _with_reason(services.reject_ticket, gettext_lazy("Tiket ditolak.")),
    "escalate": _with_reason(services.escalate_ticket, gettext_lazy("Tiket dieskalasi.")),
    "close": _with_reason(services.close_ticket, gettext_lazy("Tiket ditutup.")),
}


@staff_required
@require_POST
@writes
def ticket_action(request, code, action):
    """Run one of the ticket's actions; the role check happens here, on the server."""
    ticket = selectors.get_ticket_for_user(request.user, code)
    if action not in ACTIONS or action not in role_actions(request.user):
        raise PermissionDenied  # the role never may: the 403 page
    if action not in allowed_actions(request.user, ticket):
        return _no_longer_allowed(request, ticket)
    try:
        invalid_forms = ACTIONS[action](request, ticket)
    except IllegalTransition:  # the ticket moved on between the check above and the row lock
        return _no_longer_allowed(request, selectors.get_ticket_for_user(request.user, code))
    except services.TicketError as exc:
        messages.error(request, exc.message)
        _keep_typed(request, ticket, allowed_actions(request.user, ticket))
        invalid_forms = None
    if invalid_forms:
        context = detail_context(request, ticket, **invalid_forms)
        return render(request, "tickets/detail.html", context, status=400)
    return redirect("tickets:detail", code=ticket.code)


def _no_longer_allowed(request, ticket):
    """Back to the ticket (POST-redirect-GET), saying why, with what the clerk typed kept."""
    status = ticket.get_status_display()
    if ticket.is_open and ticket.status == Status.NEW:
        text = _("Tiket masih %(status)s; tindakan ini belum dapat dilakukan.") % {"status": status}
    else:
        text = _("Tiket sudah %(status)s; tindakan ini tidak dapat dilakukan lagi.") % {"status": status}
    kept_in = _keep_typed(request, ticket, allowed_actions(request.user, ticket))
    if kept_in == "note" and request.POST.get("reason", "").strip():
        text += " " + _("Teks yang Anda ketik dipindahkan ke kolom Catatan Internal.")
    messages.error(request, text)
    return redirect("tickets:detail", code=ticket.code)


def _keep_typed(request, ticket, actions) -> str | None:
    """Keep the typed reason or note for the next page; return the field it goes back into.

    A reason the ticket no longer has a use for goes into the note field, which is always there.
    """
    typed_note = request.POST.get("text", "").strip()
    typed_reason = request.POST.get("reason", "").strip()
    if not (typed_note or typed_reason):
        return None
    if typed_reason and actions & REASON_ACTIONS:
        kept, field = {"reason": typed_reason}, "reason"
    else:
        kept, field = {"note": typed_reason or typed_note}, "note"
    request.session[_kept_key(ticket)] = kept
    return field


def _kept_key(ticket) -> str:
    return f"tickets:typed:{ticket.code}"


@staff_required
def slip(request, code):
    """The printable receipt (tanda terima): code, masked NIK, what happens next, QR to the status page."""
    ticket = selectors.get_ticket_for_user(request.user, code)
    status_url = (
        settings.PUBLIC_BASE_URL.rstrip("/") + reverse("public_status") + f"?kode={ticket.display_code}"
    )
    qr_svg = segno.make(status_url, error="m").svg_inline(scale=4)
    return render(
        request, "tickets/slip.html", {"ticket": ticket, "status_url": status_url, "qr_svg": qr_svg}
    )
