"""Celery tasks: thin. They take ids only (no phone, address or text in any message)."""

import logging

from celery import shared_task

from core.publish import publish
from notifications import services

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.send_notification")
def send_notification(notification_id: int) -> str:
    return services.deliver(notification_id)


@shared_task(name="notifications.tasks.redrive")
def redrive() -> int:
    """Re-publish every due pending notification, whatever happened to its messages."""
    due = services.due_notifications()
    for notification_id in due:
        nudge(notification_id)
    if due:
        logger.info("notification redrive: %s published", len(due))
    return len(due)


def nudge(notification_id: int) -> None:
    """Publish a send for the notification; a broker failure is logged, never raised (the redrive
    finds the row in the database)."""
    publish(
        send_notification,
        (notification_id,),
        subject=f"notification {notification_id}",
        then="the redrive will retry",
    )
