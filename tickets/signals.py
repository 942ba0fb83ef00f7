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

# Sent while the intake page is built (GET and POST); kwargs: request. A receiver returns an intake
# part, or None: an object with `template_name` (rendered inside the intake form, as `part`),
# is_valid() and save(ticket=, actor=). The intake is refused while any part is invalid, and every
# part is saved in the new ticket's transaction. (documents adds its file field this way.)
intake_parts_requested = Signal()

# Sent when the ticket page is rendered; kwargs: request, ticket. A receiver returns HTML to show
# on the page (a card), or None. (documents shows the ticket's documents this way.)
ticket_page_parts_requested = Signal()
