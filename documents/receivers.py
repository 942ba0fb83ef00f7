"""Documents on the intake page and the ticket page, through the parts tickets asks for
(tickets.signals): tickets never imports documents."""

from django.dispatch import receiver

from documents import panels
from tickets.signals import intake_parts_requested, ticket_page_parts_requested


@receiver(intake_parts_requested, dispatch_uid="documents.intake_part")
def add_intake_part(sender, request, **kwargs):
    return panels.IntakeDocument(request)


@receiver(ticket_page_parts_requested, dispatch_uid="documents.ticket_panel")
def add_ticket_panel(sender, request, ticket, **kwargs):
    return panels.ticket_panel(request, ticket, form=getattr(request, panels.BOUND_FORM, None))
