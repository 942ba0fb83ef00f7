"""The sync panel on the ticket page (polled by htmx) and the staff's sync actions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import UserFacingError
from sync import refusals, services
from sync.models import SyncJob
from sync.words import describe_attempts, problem_words
from tickets.decorators import staff_required, writes
from tickets.permissions import allowed_actions
from tickets.selectors import get_ticket_for_user
from tickets.views import detail_context
from tickets.workflow import IllegalTransition

PANEL_ATTEMPTS = 10


@staff_required
def panel(request, code):
    """Render the ticket's sync progress: attempts, next check, time left to the SLA.

    The page says which status it shows (`shown`); when the ticket has moved on, the answer also
    carries the page's status badge, facts, timeline and actions as out-of-band swaps, so the whole
    page follows without a reload that would lose what the clerk is typing.
    """
    ticket = get_ticket_for_user(request.user, code)
    job = SyncJob.objects.filter(ticket=ticket).first()
    context = _panel_context(ticket, job)
    shown = request.GET.get("shown", "")
    if shown and shown != ticket.status:
        context.update(detail_context(request, ticket), oob=True)
    return render(request, "sync/panel.html", context)


def _panel_context(ticket, job) -> dict:
    now = timezone.now()
    context = {"ticket": ticket, "job": job, "now": now}
    if job is None:
        context["polling"] = ticket.is_open  # the outbox row is on its way (the sweeper makes it)
        return context
    context["attempts"] = describe_attempts(job, job.attempts_log.all()[:PANEL_ATTEMPTS])
    context["last_problem"] = problem_words(job.last_error) if job.last_error else ""
    if job.accepted_at and job.sla_due_at:
        total = (job.sla_due_at - job.accepted_at).total_seconds()
        elapsed = ((job.verified_at or now) - job.accepted_at).total_seconds()
        context["sla_percent"] = max(0, min(100, round(100 * elapsed / total))) if total > 0 else 100
        context["sla_seconds_left"] = int((job.sla_due_at - now).total_seconds())
    # A held job moves when its batch is answered (sync.held): keep watching for that too.
    context["polling"] = job.is_active or job.state == SyncJob.State.HELD
    return context


@staff_required
@require_POST
@writes
def check_now(request, code):
    ticket = get_ticket_for_user(request.user, code)
    return _staff_action(request, ticket, services.request_check_now, _("Cek ke pusat dijadwalkan sekarang."))


@staff_required
@require_POST
@writes
def repush(request, code):
    ticket = get_ticket_for_user(request.user, code)
    return _staff_action(request, ticket, services.request_repush, _("Data dikirim ulang ke pusat."))


def _staff_action(request, ticket, action, done_message):
    try:
        action(ticket=ticket, actor=request.user)
    except UserFacingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return redirect("tickets:detail", code=ticket.code)


# The clerk's actions on a "Perlu tindakan" ticket: (service, the action's name in
# tickets.permissions, what the clerk reads once it is done).
BLOCK_ACTIONS = {
    "reactivate": (
        refusals.request_reactivation,
        gettext_lazy("Aktivasi NIK diajukan ke pusat; data akan dikirim ulang."),
    ),
    "resubmit": (refusals.request_resubmission, gettext_lazy("Data dikirim ulang ke pusat.")),
    "centre_escalate": (refusals.request_centre_escalation, gettext_lazy("Tiket diajukan ke pusat.")),
}


@staff_required
@require_POST
@writes
def block_action(request, code, action):
    """Run a clerk's action on a blocked ticket, if their role and the ticket's block allow it."""
    ticket = get_ticket_for_user(request.user, code)
    if action not in BLOCK_ACTIONS:
        raise Http404
    if action not in allowed_actions(request.user, ticket):
        messages.error(request, _("Tindakan ini tidak dapat dilakukan untuk tiket ini sekarang."))
        return redirect("tickets:detail", code=ticket.code)
    service, done_message = BLOCK_ACTIONS[action]
    try:
        return _staff_action(request, ticket, service, done_message)
    except IllegalTransition:  # the ticket moved on between the check above and the row lock
        messages.error(request, _("Status tiket sudah berubah; tindakan ini tidak dapat dilakukan lagi."))
        return redirect("tickets:detail", code=ticket.code)
