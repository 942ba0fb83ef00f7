"""The sync panel on the ticket page (polled by htmx) and the staff's sync actions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sync import services, tasks
from sync.models import SyncJob
from tickets.decorators import staff_required
from tickets.selectors import get_ticket_for_user

PANEL_ATTEMPTS = 10


@staff_required
def panel(request, code):
    """Render the ticket's sync progress: attempts, next check, time left to the SLA."""
    ticket = get_ticket_for_user(request.user, code)
    job = SyncJob.objects.filter(ticket=ticket).first()
    return render(request, "sync/panel.html", _panel_context(ticket, job))


def _panel_context(ticket, job) -> dict:
    now = timezone.now()
    context = {"ticket": ticket, "job": job, "now": now}
    if job is None:
        return context
    context["attempts"] = job.attempts_log.all()[:PANEL_ATTEMPTS]
    if job.accepted_at and job.sla_due_at:
        total = (job.sla_due_at - job.accepted_at).total_seconds()
        elapsed = ((job.verified_at or now) - job.accepted_at).total_seconds()
        context["sla_percent"] = max(0, min(100, round(100 * elapsed / total))) if total > 0 else 100
        context["sla_seconds_left"] = int((job.sla_due_at - now).total_seconds())
    context["polling"] = job.is_active
    return context


@staff_required
@require_POST
def check_now(request, code):
    ticket = get_ticket_for_user(request.user, code)
    return _staff_action(request, ticket, services.request_check_now, _("Cek ke pusat dijadwalkan sekarang."))


@staff_required
@require_POST
def repush(request, code):
    ticket = get_ticket_for_user(request.user, code)
    return _staff_action(request, ticket, services.request_repush, _("Data dikirim ulang ke pusat."))


def _staff_action(request, ticket, action, done_message):
    try:
        job = action(ticket=ticket, actor=request.user)
    except services.StaffActionRefused as exc:
        messages.error(request, exc.message)
    else:
        job.refresh_from_db()
        tasks.nudge(job.pk, job.state)
        messages.success(request, done_message)
    return redirect("tickets:detail", code=ticket.code)
