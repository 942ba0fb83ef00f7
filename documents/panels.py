"""What documents shows inside tickets' pages: a file field at intake, a card on the ticket page."""

from django.conf import settings
from django.template.loader import render_to_string

from documents import selectors, services
from documents.forms import DocumentForm

PREFIX = "dokumen"
# A refused upload puts its bound form here, so the re-rendered ticket page shows its errors.
BOUND_FORM = "documents_bound_form"


class IntakeDocument:
    """The intake page's optional document (an intake part: see tickets.signals)."""

    template_name = "documents/includes/intake_part.html"

    def __init__(self, request):
        data = (request.POST, request.FILES) if request.method == "POST" else ()
        self.form = DocumentForm(*data, prefix=PREFIX, optional=True)
        self.max_mb = max_megabytes()

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def save(self, *, ticket, actor) -> None:
        if self.form.checked is None:
            return
        services.attach_document(
            ticket=ticket,
            actor=actor,
            kind=self.form.cleaned_data["kind"],
            checked=self.form.checked,
            original_name=self.form.upload_name,
        )


def ticket_panel(request, ticket, *, form: DocumentForm | None = None) -> str:
    """Return the ticket page's documents card: thumbnails, links, the upload form."""
    context = {
        "ticket": ticket,
        "documents": selectors.documents_of(ticket),
        "form": form or DocumentForm(prefix=PREFIX),
        "max_mb": max_megabytes(),
    }
    return render_to_string("documents/includes/panel.html", context, request=request)


def max_megabytes() -> int:
    return settings.DOCUMENTS_MAX_BYTES // (1024 * 1024)
