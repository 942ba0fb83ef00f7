"""What the gateway later says about a sent message (WhatsApp status callbacks): delivered, read, or
failed; each recorded on the notification and its ticket's timeline. A failure falls back to the
next channel of the ticket's chain, as a refused send does (services.fallback_for)."""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications import services
from notifications.channels.whatsapp import refusal_text
from notifications.models import Notification
from tickets import services as ticket_services
from tickets.texts import EventText

logger = logging.getLogger(__name__)
State = Notification.Status
TEXTS = {
    "delivered": gettext_noop("Pemberitahuan '%(kind)s' sudah diterima di %(to)s (%(channel)s)."),
    "read": gettext_noop("Pemberitahuan '%(kind)s' sudah dibaca di %(to)s (%(channel)s)."),
}


@transaction.atomic
def record_receipt(*, provider_message_id: str, status: str, error_code=None) -> str:
    """Record the gateway's `status` of the message it calls `provider_message_id`; return what was
    done: "delivered", "read", "fallback", "failed", or "ignored" (unknown id, repeat, or "sent")."""
    notification = (
        Notification.objects.select_for_update()
        .select_related("ticket__citizen", "ticket__office")
        .filter(provider_message_id=provider_message_id)
        .exclude(provider_message_id="")
        .first()
    )
    if notification is None or notification.status != State.SENT:
        return "ignored"
    if status == "failed":
        return _failed_after_sending(notification, refusal_text(error_code))
    field = {"delivered": "delivered_at", "read": "read_at"}.get(status)
    if field is None or getattr(notification, field) is not None:
        return "ignored"
    fields = {field: timezone.now()}
    if status == "read" and notification.delivered_at is None:
        fields["delivered_at"] = fields[field]
    _update(notification, status, EventText(TEXTS[status], **services.event_words(notification)), **fields)
    return status


def _failed_after_sending(notification: Notification, reason: str) -> str:
    next_channel = services.fallback_for(notification)
    if next_channel is None:
        text = EventText(
            gettext_noop("Pemberitahuan '%(kind)s' ke %(to)s (%(channel)s) gagal: %(error)s."),
            **services.event_words(notification),
            error=reason,
        )
        _update(notification, "failed", text, status=State.FAILED, last_error=reason[:300])
        return "failed"
    text = services.fallback_text(notification, reason, next_channel)
    hint = services.recipient_hint_for(next_channel, notification.ticket)
    _update(
        notification, "fallback", text, recipient_hint=hint, **services.fallback_fields(next_channel, reason)
    )
    transaction.on_commit(partial(services.nudge_after_commit, notification.pk))
    return "fallback"


def _update(notification: Notification, outcome: str, message: EventText, **fields) -> None:
    Notification.objects.filter(pk=notification.pk).update(updated_at=timezone.now(), **fields)
    ticket_services.record_notification_event(
        ticket=notification.ticket,
        message=message,
        details={
            "notification_id": notification.pk,
            "kind": notification.kind,
            "channel": notification.channel,
            "outcome": outcome,
        },
    )
