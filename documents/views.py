"""Document pages: upload on the ticket page, and the one guarded way to see a document's bytes."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from citizens.services import record_access
from documents import panels, selectors, services
from documents.forms import DocumentForm
from tickets.decorators import staff_required, writes
from tickets.selectors import get_ticket_for_user
from tickets.views import detail_context


@staff_required
@require_POST
@writes
def upload(request, code):
    """Attach one document to the ticket; a refused file re-renders the page saying why."""
    ticket = get_ticket_for_user(request.user, code)
    form = DocumentForm(request.POST, request.FILES, prefix=panels.PREFIX)
    if not form.is_valid():
        setattr(request, panels.BOUND_FORM, form)
        return render(request, "tickets/detail.html", detail_context(request, ticket), status=400)
    document = services.attach_document(
        ticket=ticket,
        actor=request.user,
        kind=form.cleaned_data["kind"],
        checked=form.checked,
        original_name=form.upload_name,
    )
    messages.success(request, _("Dokumen %(kind)s dilampirkan.") % {"kind": document.get_kind_display()})
    return redirect(reverse("tickets:detail", args=[ticket.code]) + "#dokumen")


@staff_required
@require_GET
def show(request, token):
    return _serve(request, token, thumbnail=False)


@staff_required
@require_GET
def thumbnail(request, token):
    return _serve(request, token, thumbnail=True)


def _serve(request, token: str, *, thumbnail: bool):
    """Send the decrypted bytes to staff of the ticket's office, recording who saw which document."""
    document = selectors.document_for_user(request.user, token)
    if thumbnail and not document.thumbnail_blob:
        return redirect("documents:show", token=token)
    ticket = document.ticket
    what = "gambar kecil dokumen" if thumbnail else "dokumen"  # stored as written, like other purposes
    record_access(
        citizen=ticket.citizen,
        viewer=request.user,
        purpose=f"{what} {document.get_kind_display()} {ticket.code}",
        ip=request.META.get("REMOTE_ADDR", ""),
        action="view_document",
        ticket=ticket,
    )
    content_type = "image/jpeg" if thumbnail else document.content_type
    response = HttpResponse(services.read_document(document, thumbnail=thumbnail), content_type=content_type)
    # An image opens in the browser; a PDF is saved (a browser's PDF viewer will not run sandboxed).
    disposition = "inline" if thumbnail or document.is_image else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.original_name}"'
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response
