"""Signals tickets sends so other apps can react without tickets importing them."""
from django.dispatch import Signal

# Sent from transaction.on_commit after a ticket is saved; kwargs: ticket_id.
ticket_opened = Signal()
