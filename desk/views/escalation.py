"""The escalation desk (/eskalasi/): overdue and escalated tickets, the centre's message, bulk actions.

Supervisors only, scoped to their office. Personal data: the page shows the message with NIK and KK
masked; the full message comes only by POST and is recorded (citizens.services.record_access).
No NIK goes into any URL, so the wa.me link carries no `text=`: staff paste the copied message.
"""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citizens.services import record_access
from core.errors import UserFacingError
from core.publish import publish
from core.scoping import scope_of
from desk import centre
from desk import services as desk_services
from desk.forms import BulkActionForm, ContactForm
from desk.selectors import escalation as selectors
from sync import tasks
from tickets.decorators import supervisor_required, writes
from tickets.models import Ticket
from tickets.selectors import CappedPaginator


@dataclass
class DeskRow:
    ticket: Ticket
    overdue: str
    message: str


def _desk_context(request, *, bulk_form=None) -> dict:
    now = timezone.now()
    scope = scope_of(request.user)
    paginator = CappedPaginator(selectors.desk_tickets(scope, now=now), settings.TICKETS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        DeskRow(
            ticket=ticket,
            overdue=centre.overdue_label(ticket, now=now),
            message=centre.escalation_message(ticket),
        )
        for ticket in page
    ]
    context = {
        "page": page,
        "paginator": paginator,
        "rows": rows,
        "read_only": scope.read_only,
        "spans_offices": scope.spans_offices,
        "channels": centre.Channel,
        "hotline": centre.CENTRE_HOTLINE,
    }
    if not scope.read_only:  # the contact and bulk forms act for the user's own office
        office = scope.office
        context.update(
            office=office,
            contact_form=ContactForm(),
            bulk_form=bulk_form or BulkActionForm(office=office),
            whatsapp_url="https://wa.me/" + centre.whatsapp_digits(office),
        )
    return context


@supervisor_required
@require_GET
def desk(request):
    """List the office's overdue and escalated tickets, oldest due first, each with its message."""
    return render(request, "desk/escalation.html", _desk_context(request))


@supervisor_required
@require_POST
@writes
def message(request, code):
    """Return the ticket's full message (NIK and KK in clear), recording who saw it and why."""
    ticket = selectors.ticket_in_scope(scope_of(request.user), code)
    _record_message_access(request, ticket, purpose=f"eskalasi {ticket.code}")
    context = {"ticket": ticket, "message": centre.escalation_message(ticket, full=True), "full": True}
    template = (
        "desk/escalation_message.html" if request.headers.get("HX-Request") else "desk/escalation_reveal.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@supervisor_required
@require_POST
@writes
def contacted(request, code):
    """Record "Sudah dieskalasi" (channel, note) and ask the centre's registry to expedite."""
    ticket = selectors.ticket_in_scope(scope_of(request.user), code)
    form = ContactForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, f"{ticket.display_code}: {errors[0]}")
        return _back_to_desk(request)
    try:
        desk_services.record_escalation_contact(ticket=ticket, actor=request.user, **form.cleaned_data)
    except UserFacingError as exc:
        messages.error(request, f"{ticket.display_code}: {exc.message}")
        return _back_to_desk(request)
    job_id = selectors.expeditable_job_id(ticket)
    if job_id is not None:
        transaction.on_commit(partial(publish_expedite, job_id))
    messages.success(request, _("Eskalasi tiket %(code)s tercatat.") % {"code": ticket.display_code})
    return _back_to_desk(request)


@supervisor_required
@require_POST
@writes
def send_whatsapp(request, code):
    """Send the centre the escalation template by WhatsApp (the full message: recorded as an access),
    record the contact and ask the registry to expedite."""
    ticket = selectors.ticket_in_scope(scope_of(request.user), code)
    try:
        desk_services.send_escalation_whatsapp(ticket=ticket, actor=request.user)
    except UserFacingError as exc:
        messages.error(request, f"{ticket.display_code}: {exc.message}")
        return _back_to_desk(request)
    _record_message_access(request, ticket, purpose=f"eskalasi {ticket.code} lewat WhatsApp")
    job_id = selectors.expeditable_job_id(ticket)
    if job_id is not None:
        transaction.on_commit(partial(publish_expedite, job_id))
    messages.success(
        request,
        _("Pesan eskalasi tiket %(code)s dikirim ke pusat lewat WhatsApp.") % {"code": ticket.display_code},
    )
    return _back_to_desk(request)


def _record_message_access(request, ticket, *, purpose: str) -> None:
    """Record that the supervisor had the full message (NIK and KK in clear) shown or sent."""
    record_access(
        citizen=ticket.citizen,
        viewer=request.user,
        purpose=purpose,
        ip=request.META.get("REMOTE_ADDR", ""),
        action="escalation_message",
        ticket=ticket,
    )


def publish_expedite(job_id: int) -> None:
    """Publish the registry's expedite for the job; a broker error is logged, never raised."""
    publish(tasks.expedite, (job_id,), subject=f"job {job_id}", then="the escalation itself is recorded")


@supervisor_required
@require_POST
@writes
def bulk(request):
    """Apply one action to the ticked tickets, one by one; report what succeeded and what did not."""
    office = scope_of(request.user).office
    form = BulkActionForm(request.POST, office=office)
    if not form.is_valid():
        return render(request, "desk/escalation.html", _desk_context(request, bulk_form=form), status=400)
    outcome = desk_services.run_bulk_action(office=office, actor=request.user, **form.cleaned_data)
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


def _back_to_desk(request):
    url = reverse("escalation:desk")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)
