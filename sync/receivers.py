"""Sync's reactions to ticket signals (connected in SyncConfig.ready)."""

from django.db import transaction

from sync import services, tasks


def create_job_for_new_ticket(sender, ticket, **kwargs):
    """Write the outbox row in the ticket's own transaction; nudge a worker once it commits."""
    job = services.create_job(ticket)
    transaction.on_commit(lambda: tasks.nudge(job.pk, job.state))
