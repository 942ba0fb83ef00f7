"""Sync's reactions to ticket signals (connected in SyncConfig.ready)."""

from sync import services


def create_job_for_new_ticket(sender, ticket, **kwargs):
    """Write the outbox row in the ticket's own transaction (its push is published on commit)."""
    services.create_job(ticket)
