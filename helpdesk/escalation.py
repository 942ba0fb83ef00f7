"""The escalation desk (/eskalasi/): overdue and escalated tickets, the centre's message, bulk actions.

Supervisors only, scoped to their office. Personal data: the page shows the message with NIK and KK
masked; the full message comes only by POST and is recorded (citizens.services.record_access).
No NIK goes into any URL, so the wa.me link carries no `text=`: staff paste the copied message.
"""

import logging
from dataclasses import dataclass, field
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_POST

from citizens.services import record_access
from core.errors import UserFacingError
from core.publish import publish
from sync import services as sync_services
from sync import tasks
from sync.models import SyncJob
from tickets import escalations, services
from tickets.decorators import supervisor_required
from tickets.forms import TicketCodesField
from tickets.models import Ticket, normalize_ticket_code
from tickets.permissions import office_of
from tickets.selectors import CappedPaginator, staff_of_office
from tickets.texts import EventText
from tickets.workflow import IllegalTransition

logger = logging.getLogger(__name__)


def _ticket_of_office(office, code: str) -> Ticket:
    """Return the office's ticket with `code`; 404 for any other (no hint that it exists)."""
    ticket = (
        Ticket.objects.for_office(office)
        .select_related("citizen", "office")
        .filter(code=normalize_ticket_code(code))
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


# --- forms ---------------------------------------------------------------------------------------


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Saluran"), choices=escalations.Channel.choices)
    note = forms.CharField(
        label=gettext_lazy("Catatan (opsional)"), required=False, max_length=escalations.NOTE_MAX_LENGTH
    )


class BulkActionForm(forms.Form):
    ASSIGN, CHECK, CLOSE_DUPLICATE, CLOSE_WITHDRAWN = "assign", "check", "close_duplicate", "close_withdrawn"
    ACTIONS = [
        (ASSIGN, gettext_lazy("Alihkan ke petugas")),
        (CHECK, gettext_lazy("Cek ulang ke pusat sekarang")),
        (CLOSE_DUPLICATE, gettext_lazy("Tutup: duplikat")),
        (CLOSE_WITHDRAWN, gettext_lazy("Tutup: dicabut pemohon")),
    ]
    CLOSE_LABELS = {
        CLOSE_DUPLICATE: gettext_lazy("Duplikat"),
        CLOSE_WITHDRAWN: gettext_lazy("Dicabut pemohon"),
    }

    tickets = TicketCodesField()
    action = forms.ChoiceField(label=gettext_lazy("Tindakan"), choices=ACTIONS)
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Petugas"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— pilih petugas —"),
    )
    reason = forms.CharField(label=gettext_lazy("Alasan penutupan"), required=False, max_length=2000)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_of_office(office.pk)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Pilih petugas tujuan."))
        if action in self.CLOSE_LABELS and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Alasan wajib diisi untuk menutup tiket."))
        return data


# --- pages ---------------------------------------------------------------------------------------


@dataclass
class DeskRow:
    ticket: Ticket
    overdue: str
    message: str


def _desk_context(request, office, *, bulk_form=None) -> dict:
    now = timezone.now()
    paginator = CappedPaginator(escalations.desk_tickets(office, now=now), settings.TICKETS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        DeskRow(
            ticket=ticket,
            overdue=escalations.overdue_label(ticket, now=now),
            message=escalations.escalation_message(ticket),
        )
        for ticket in page
    ]
    return {
        "page": page,
        "paginator": paginator,
        "rows": rows,
        "office": office,
        "channels": escalations.Channel,
        "contact_form": ContactForm(),
        "bulk_form": bulk_form or BulkActionForm(office=office),
        "whatsapp_url": "https://wa.me/" + escalations.whatsapp_digits(office),
        "hotline": escalations.CENTRE_HOTLINE,
    }


@supervisor_required
@require_GET
def desk(request):
    """List the office's overdue and escalated tickets, oldest due first, each with its message."""
    office = office_of(request.user)
    return render(request, "helpdesk/escalation.html", _desk_context(request, office))


@supervisor_required
@require_POST
def message(request, code):
    """Return the ticket's full message (NIK and KK in clear), recording who saw it and why."""
    ticket = _ticket_of_office(office_of(request.user), code)
    record_access(
        citizen=ticket.citizen,
        viewer=request.user,
        purpose=f"eskalasi {ticket.code}",
        ip=request.META.get("REMOTE_ADDR", ""),
        action="escalation_message",
        ticket=ticket,
    )
    context = {"ticket": ticket, "message": escalations.escalation_message(ticket, full=True), "full": True}
    template = (
        "helpdesk/escalation_message.html"
        if request.headers.get("HX-Request")
        else "helpdesk/escalation_reveal.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@supervisor_required
@require_POST
def contacted(request, code):
    """Record "Sudah dieskalasi" (channel, note) and ask the centre's registry to expedite."""
    ticket = _ticket_of_office(office_of(request.user), code)
    form = ContactForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, f"{ticket.display_code}: {errors[0]}")
        return _back_to_desk(request)
    try:
        escalations.record_escalation_contact(ticket=ticket, actor=request.user, **form.cleaned_data)
    except services.TicketError as exc:
        messages.error(request, f"{ticket.display_code}: {exc.message}")
        return _back_to_desk(request)
    job_id = (
        SyncJob.objects.filter(ticket=ticket, state=SyncJob.State.ACCEPTED)
        .exclude(update_id="")
        .values_list("pk", flat=True)
        .first()
    )
    if job_id is not None:
        transaction.on_commit(partial(publish_expedite, job_id))
    messages.success(request, _("Eskalasi tiket %(code)s tercatat.") % {"code": ticket.display_code})
    return _back_to_desk(request)


def publish_expedite(job_id: int) -> None:
    """Publish the registry's expedite for the job; a broker error is logged, never raised."""
    publish(tasks.expedite, (job_id,), subject=f"job {job_id}", then="the escalation itself is recorded")


# --- bulk actions --------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    succeeded: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (display code, why)


@supervisor_required
@require_POST
def bulk(request):
    """Apply one action to the ticked tickets, one by one; report what succeeded and what did not."""
    office = office_of(request.user)
    form = BulkActionForm(request.POST, office=office)
    if not form.is_valid():
        return render(
            request, "helpdesk/escalation.html", _desk_context(request, office, bulk_form=form), status=400
        )
    outcome = run_bulk_action(office=office, actor=request.user, **form.cleaned_data)
    if outcome.succeeded:
        messages.success(
            request,
            _("%(n)s tiket berhasil diproses: %(codes)s.")
            % {"n": len(outcome.succeeded), "codes": ", ".join(outcome.succeeded)},
        )
    if outcome.failed:
        messages.error(request, _("%(n)s tiket gagal diproses.") % {"n": len(outcome.failed)})
        for code, why in outcome.failed:
            messages.error(request, f"{code}: {why}")
    return _back_to_desk(request)


def run_bulk_action(
    *, office, actor, tickets: list[str], action: str, assignee=None, reason: str = ""
) -> BulkOutcome:
    """Apply `action` to each of the office's `tickets` (codes) on its own; refusals are collected.

    A code that is not the office's is reported as not found and never acted on.
    """
    found = {
        t.code: t
        for t in Ticket.objects.for_office(office)
        .select_related("citizen", "office")
        .filter(code__in=tickets)
    }
    outcome = BulkOutcome()
    for code in tickets:
        ticket = found.get(code)
        if ticket is None:
            outcome.failed.append((f"{code[:5]}-{code[5:]}", _("Tiket tidak ditemukan.")))
            continue
        try:
            _apply_one(ticket, actor=actor, action=action, assignee=assignee, reason=reason)
        except UserFacingError as exc:
            outcome.failed.append((ticket.display_code, exc.message))
        except IllegalTransition as exc:
            outcome.failed.append((ticket.display_code, str(exc)))
        else:
            outcome.succeeded.append(ticket.display_code)
    return outcome


def _apply_one(ticket, *, actor, action, assignee, reason) -> None:
    if action == BulkActionForm.ASSIGN:
        services.assign_ticket(ticket=ticket, actor=actor, assignee=assignee)
    elif action == BulkActionForm.CHECK:
        sync_services.request_check_now(ticket=ticket, actor=actor)
    else:
        kind = BulkActionForm.CLOSE_LABELS[action]
        reason = EventText(gettext_noop("%(kind)s: %(reason)s"), kind=kind, reason=reason.strip())
        services.close_ticket(ticket=ticket, actor=actor, reason=reason)


def _back_to_desk(request):
    url = reverse("escalation:desk")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


app_name = "escalation"

urlpatterns = [
    path("", desk, name="desk"),
    path("massal/", bulk, name="bulk"),
    path("<str:code>/pesan/", message, name="message"),
    path("<str:code>/sudah/", contacted, name="contacted"),
]
