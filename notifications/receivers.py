"""Notifications' reactions to ticket signals (connected in NotificationsConfig.ready).

The receivers only insert a row, inside a savepoint: a failure here costs the citizen a message
(logged), never the clerk their saved ticket. Sending happens in a worker after the commit.
"""

import logging

from django.db import transaction

from notifications import services
from notifications.models import Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind


def notify_opened(sender, ticket, **kwargs):
    """Tell the citizen their complaint is recorded (code, link, 1x24 jam)."""
    _queue(ticket, Kind.OPENED)


def notify_status_changed(sender, ticket, previous=None, **kwargs):
    """Tell the citizen their ticket was resolved, rejected or escalated; other changes are silent."""
    kind = services.KIND_OF_STATUS.get(ticket.status)
    if kind is not None:
        _queue(ticket, kind)


def notify_code_resend(sender, ticket, **kwargs):
    """Send the code again (the public lost-slip page, which has checked its rate limits)."""
    _queue(ticket, Kind.CODE_RESEND)


def _queue(ticket, kind: str) -> None:
    try:
        with transaction.atomic():
            services.queue_notification(ticket=ticket, kind=kind)
    except Exception:  # noqa: BLE001 - see the module docstring
        logger.exception("could not queue the %s notification of ticket %s", kind, ticket.pk)
