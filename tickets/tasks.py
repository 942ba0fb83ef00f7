"""Celery tasks of the tickets app: thin, and their messages carry no NIK (only its keyed digest)."""

from celery import shared_task

from tickets import selectors
from tickets.models import Ticket
from tickets.signals import code_resend_requested


@shared_task(name="tickets.tasks.resend_code")
def resend_code(nik_digest: str) -> bool:
    """Send the ticket code again for the NIK behind `nik_digest`, if it has an open ticket and a
    phone. The lost-slip page publishes this for every NIK alike, so the page itself does the same
    work whether the NIK is known or not (no timing oracle); the look-up happens here."""
    ticket = selectors.ticket_for_code_resend(nik_digest)
    if ticket is None:
        return False
    code_resend_requested.send(sender=Ticket, ticket=ticket)
    return True
