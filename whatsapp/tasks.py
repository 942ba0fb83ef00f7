"""Celery tasks of the inbound side: thin, ids only (no number or text in any message)."""

from celery import shared_task

from core.publish import publish
from whatsapp import services


@shared_task(name="whatsapp.tasks.send_reply")
def send_reply(reply_id: int) -> str:
    return services.send_reply(reply_id)


@shared_task(name="whatsapp.tasks.redrive_replies")
def redrive_replies() -> int:
    """Re-publish every due pending reply, whatever happened to its messages."""
    due = services.due_replies()
    for reply_id in due:
        nudge(reply_id)
    return len(due)


def nudge(reply_id: int) -> None:
    publish(send_reply, (reply_id,), subject=f"whatsapp reply {reply_id}", then="the redrive will retry")
