"""The queue's bulk actions (POST /tiket/massal/): tickets' rules, plus sync's "Cek sekarang".

It lives in the desk because it joins two apps: tickets (take, assign, close) and sync (re-check),
and tickets never imports sync (DESIGN.md §2); the desk sits above every app.
"""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sync import services as sync_services
from tickets import bulk
from tickets.decorators import staff_required, writes
from tickets.forms import QueueFilterForm
from tickets.views import render_queue


def recheck(*, ticket, actor) -> None:
    """Run "Cek sekarang" for one ticket, with its rules and cooldown (it nudges the worker on commit)."""
    sync_services.request_check_now(ticket=ticket, actor=actor)


@staff_required
@require_POST
@writes
def queue_bulk(request):
    """Apply one action to the ticked tickets; say how many were done and which were skipped, and why."""
    back = _queue_filters(request.POST.get("back", ""))
    form = bulk.BulkQueueForm(request.POST, user=request.user)
    bulk.refuse_unless_allowed(request.user, request.POST.get("action", ""))
    if not form.is_valid():
        return render_queue(request, back, searching=False, bulk_form=form, status=400)
    data = form.cleaned_data
    result = bulk.run_bulk(
        user=request.user,
        codes=data["tickets"],
        action=data["action"],
        assignee=data.get("assignee"),
        reason=data.get("reason", ""),
        recheck=recheck,
    )
    _report(request, result)
    url = reverse("tickets:queue")
    return redirect(f"{url}?{back.urlencode()}" if back else url)


def _queue_filters(text: str) -> QueryDict:
    """Return the queue's own filters from the posted query string; anything else is dropped."""
    posted = QueryDict(text)
    kept = QueryDict(mutable=True)
    for name in [*QueueFilterForm.base_fields, "page"]:
        if name != "q" and posted.get(name):
            kept[name] = posted.get(name)
    return kept


def _report(request, result: bulk.BulkResult) -> None:
    if result.done:
        count = len(result.done)
        messages.success(
            request,
            ngettext("%(n)s tiket diproses: %(codes)s.", "%(n)s tiket diproses: %(codes)s.", count)
            % {"n": count, "codes": ", ".join(result.done)},
        )
    for why, codes in result.skipped.items():
        count = len(codes)
        messages.warning(
            request,
            ngettext(
                "%(n)s tiket dilewati: %(why)s (%(codes)s).",
                "%(n)s tiket dilewati: %(why)s (%(codes)s).",
                count,
            )
            % {"n": count, "why": why, "codes": ", ".join(codes)},
        )
