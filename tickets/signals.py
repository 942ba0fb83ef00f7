"""Signals tickets sends so other apps can react without tickets importing them."""

from django.dispatch import Signal

# Sent inside open_ticket's transaction; kwargs: ticket. A receiver's writes commit or roll back
# with the ticket itself (sync creates its outbox row here); side effects belong in on_commit.
ticket_opened = Signal()

# Sent inside the transaction of every status change; kwargs: ticket, previous, actor.
ticket_status_changed = Signal()

# A citizen asked for their ticket code again (lost slip); kwargs: ticket. Sent after the
# public page's checks; a receiver sends the code to the phone on record.
code_resend_requested = Signal()
