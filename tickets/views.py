"""Staff pages: intake, queue, ticket detail and its actions, the printable slip."""

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from citizens import nik as nikparse
from citizens.pagination import CappedPaginator
from citizens.services import record_access
from tickets import selectors, services
from tickets.decorators import staff_required
from tickets.forms import AssignForm, IntakeForm, NoteForm, QueueFilterForm, ReasonForm
from tickets.permissions import REASON_ACTIONS, allowed_actions, office_of, role_actions
from tickets.workflow import IllegalTransition, Status


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request):
    office = office_of(request.user)
    form = IntakeForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.open_ticket(office=office, created_by=request.user, complaint=form.complaint())
        except services.DuplicateOpenTicket as exc:
            duplicate = exc.existing
            form.add_error("category", exc.message)
        else:
            messages.success(
                request, _("Pengaduan tersimpan dengan kode %(code)s.") % {"code": ticket.display_code}
            )
            return redirect("tickets:detail", code=ticket.code)
    return render(request, "tickets/intake.html", {"form": form, "duplicate": duplicate})


@staff_required
@require_POST
def nik_check(request):
    """Return what a NIK says (region, sex, birth date) as a fragment, for the intake form.

    POST, so the NIK never travels in a URL or an access log.
    """
    context = {}
    try:
        info = nikparse.parse_nik(request.POST.get("nik", ""))
    except nikparse.InvalidNumber as exc:
        context["error"] = exc.message
    else:
        context["info"] = info
        context["warnings"] = list(info.warnings) + _typed_disagreements(info, request.POST)
    return render(request, "tickets/includes/nik_info.html", context)


def _typed_disagreements(info, data) -> list[str]:
    form = IntakeForm(data)
    form.is_valid()  # only the typed birth date and sex are read below
    found = []
    birth_date = form.cleaned_data.get("birth_date")
    if birth_date and not info.birth_date_matches(birth_date):
        found.append(_("Tanggal lahir pada NIK berbeda dengan tanggal lahir yang diisi."))
    sex = form.cleaned_data.get("sex")
    if sex and sex != info.sex:
        found.append(_("Jenis kelamin pada NIK berbeda dengan yang diisi."))
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def queue(request):
    """List tickets. A search (which may be a NIK) comes by POST so it never sits in a URL."""
    searching = request.method == "POST"
    form = QueueFilterForm(request.POST if searching else request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    search = filters.get("q", "") if searching else ""
    tickets = selectors.queue(request.user, filters=filters, search=search)
    paginator = CappedPaginator(tickets, settings.TICKETS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tickets/queue.html",
        {
            "form": form,
            "page": page,
            "paginator": paginator,
            "searching": bool(search),
            "search_label": selectors.search_label(search),
            "querystring": query.urlencode(),
        },
    )


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
    }
    if "assign" in actions:
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            staff_queryset=selectors.staff_of_office(ticket.office_id),
            initial={"assignee": ticket.assignee_id},
        )
    return context


@staff_required
@require_POST
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
    status_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("public_status") + f"?kode={ticket.code}"
    qr_svg = segno.make(status_url, error="m").svg_inline(scale=4)
    return render(
        request, "tickets/slip.html", {"ticket": ticket, "status_url": status_url, "qr_svg": qr_svg}
    )
