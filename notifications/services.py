"""Queue notifications and deliver them (DESIGN.md §7: every write here, tasks stay thin).

Queueing runs in the caller's transaction and nudges a worker on commit, so nothing is sent from
inside a staff request. Delivery claims the row with a conditional UPDATE (a lease in
`claimed_until`) and acts only when exactly one row changed, so two workers or a redelivered message
never send the same notification twice. The send happens outside any transaction; the outcome and
its line on the ticket timeline are written together in one.
"""

import logging
import random
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import lease
from core.backoff import backoff_seconds
from notifications.channels import ChannelError, configured_channel_name, get_channel
from notifications.conf import setting
from notifications.messages import compose
from notifications.models import Notification
from tickets import services as ticket_services
from tickets.models import Ticket
from tickets.texts import EventText
from tickets.workflow import Status

logger = logging.getLogger(__name__)
Kind = Notification.Kind
State = Notification.Status

# The statuses the citizen hears about. A status message is only worth sending while the ticket
# still has that status: an "escalated" retried after the ticket was resolved would tell the
# citizen the opposite of the truth.
KIND_OF_STATUS = {
    Status.CENTRE_APPLIED: Kind.CENTRE_APPLIED,
    Status.RESOLVED: Kind.RESOLVED,
    Status.REJECTED: Kind.REJECTED,
    Status.ESCALATED: Kind.ESCALATED,
    Status.ACTION_NEEDED: Kind.ACTION_NEEDED,
}
STATUS_OF_KIND = {kind: status for status, kind in KIND_OF_STATUS.items()}


# --- queueing ------------------------------------------------------------------------------------


def queue_notification(*, ticket: Ticket, kind: str) -> Notification | None:
    """Create a pending `kind` notification for `ticket`; nudge a worker once the transaction commits.

    Nothing is queued (None) when the channel has nowhere to send for this citizen: no phone, or no
    e-mail for the e-mail channel. Call it inside the transaction that changed the ticket, so the
    row commits or rolls back with it.
    """
    name = configured_channel_name()
    try:
        channel = get_channel(name)
    except ChannelError:  # queued anyway: the worker records it as failed, where someone will see it
        channel = None
    address = channel.address_for(ticket) if channel else ""
    if channel and not address:
        return None
    notification = Notification.objects.create(
        ticket=ticket, kind=kind, channel=name, recipient_hint=channel.mask(address) if channel else ""
    )
    transaction.on_commit(partial(_publish, notification.pk))
    return notification


def _publish(notification_id: int) -> None:
    from notifications.tasks import nudge  # notifications.tasks imports this module

    nudge(notification_id)


# --- delivery ------------------------------------------------------------------------------------


def deliver(notification_id: int, *, now=None) -> str:
    """Send one notification through its channel and record the outcome on the ticket timeline.

    Return "sent", "retry", "failed", "cancelled", or "skipped" (not pending, not due yet, or
    another worker holds it).
    """
    now = now or timezone.now()
    notification = _claim(notification_id, now)
    if notification is None:
        return "skipped"
    if notification.attempts > setting("NOTIFY_MAX_ATTEMPTS"):  # workers died mid-send again and again
        return _failed(notification, _("pengiriman terputus berulang kali"))
    if not _still_relevant(notification):
        return _cancelled(notification)
    try:
        channel = get_channel(notification.channel)
    except ChannelError as exc:
        return _failed(notification, exc.message)
    address = channel.address_for(notification.ticket)
    if not address:
        return _failed(notification, str(channel.no_address))
    notification.recipient_hint = channel.mask(address)
    try:
        message = compose(notification.kind, notification.ticket)
        channel.send(to=address, text=message.text, subject=message.subject)
    except ChannelError as exc:
        return _send_failed(notification, exc)
    except Exception:  # noqa: BLE001 - a bug in a channel must not leave the row claimed and silent
        logger.exception(
            "notification %s: unexpected error in channel %s", notification.pk, notification.channel
        )
        return _send_failed(notification, ChannelError(_("kesalahan sistem")))
    return _sent(notification)


def _claim(notification_id: int, now) -> Notification | None:
    """Lease the notification for this worker if it is pending, due and unclaimed; None otherwise."""
    due = Notification.objects.filter(pk=notification_id, status=State.PENDING, next_attempt_at__lte=now)
    if not lease.claim(due, now=now, seconds=setting("NOTIFY_CLAIM_SECONDS"), attempts=F("attempts") + 1):
        return None
    return Notification.objects.select_related("ticket__citizen", "ticket__office").get(pk=notification_id)


def _still_relevant(notification: Notification) -> bool:
    wanted = STATUS_OF_KIND.get(notification.kind)
    return wanted is None or notification.ticket.status == wanted


def _send_failed(notification: Notification, error: ChannelError) -> str:
    if error.permanent or notification.attempts >= setting("NOTIFY_MAX_ATTEMPTS"):
        return _failed(notification, error.message)
    return _retry(notification, error)


def _sent(notification: Notification) -> str:
    message = EventText(
        gettext_noop("Pemberitahuan '%(kind)s' terkirim ke %(to)s (%(channel)s)."), **_words(notification)
    )
    return _finish(notification, "sent", message, status=State.SENT, sent_at=timezone.now(), last_error="")


def _retry(notification: Notification, error: ChannelError) -> str:
    next_at = timezone.now() + retry_delay(notification.attempts, retry_after=error.retry_after)
    message = EventText(
        gettext_noop(
            "Pemberitahuan '%(kind)s' ke %(to)s (%(channel)s) belum terkirim, percobaan %(n)s dari "
            "%(max)s: %(error)s. Dicoba lagi %(when)s WIB."
        ),
        **_words(notification),
        n=notification.attempts,
        max=setting("NOTIFY_MAX_ATTEMPTS"),
        error=error.message,
        when=timezone.localtime(next_at).strftime("%d/%m/%Y %H:%M"),
    )
    return _finish(notification, "retry", message, next_attempt_at=next_at, last_error=error.message)


def _failed(notification: Notification, reason: str) -> str:
    reason = reason[:300]
    logger.warning("notification %s (%s) failed: %s", notification.pk, notification.kind, reason)
    message = EventText(
        gettext_noop("Pemberitahuan '%(kind)s' ke %(to)s (%(channel)s) gagal: %(error)s."),
        **_words(notification),
        error=reason,
    )
    return _finish(notification, "failed", message, status=State.FAILED, last_error=reason)


def _cancelled(notification: Notification) -> str:
    message = EventText(
        gettext_noop("Pemberitahuan '%(kind)s' dibatalkan: status tiket sudah berubah."),
        **_words(notification),
    )
    return _finish(notification, "cancelled", message, status=State.CANCELLED)


def _words(notification: Notification) -> dict:
    return {
        "kind": Notification.Kind(notification.kind).label,  # lazy: the timeline translates it on reading
        "to": notification.recipient_hint or "-",
        "channel": notification.channel,
    }


@transaction.atomic
def _finish(notification: Notification, outcome: str, message: str, **fields) -> str:
    """Write the outcome if this worker still holds the lease, with its timeline event."""
    if not lease.release(notification, recipient_hint=notification.recipient_hint, **fields):
        logger.warning("notification %s: lease lost before recording %r", notification.pk, outcome)
        return "skipped"
    ticket_services.record_notification_event(
        ticket=notification.ticket,
        message=message,
        details={
            "notification_id": notification.pk,
            "kind": notification.kind,
            "channel": notification.channel,
            "outcome": outcome,
            "attempt": notification.attempts,
        },
    )
    return outcome


def retry_delay(attempt: int, *, retry_after: float | None = None, rng=random) -> timedelta:
    """Return the wait after failed attempt `attempt`: exponential backoff with equal jitter (at
    least half the window), capped, and no sooner than the gateway's Retry-After (itself capped)."""
    cap = setting("NOTIFY_RETRY_MAX_SECONDS")
    delay = backoff_seconds(attempt, base=setting("NOTIFY_RETRY_BASE_SECONDS"), cap=cap, floor=0.5, rng=rng)
    return timedelta(seconds=max(delay, min(retry_after or 0, cap)))


# --- the redrive ---------------------------------------------------------------------------------


def due_notifications(*, now=None, limit: int | None = None) -> list[int]:
    """Return the ids of pending, unclaimed notifications whose next attempt is due, oldest first."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(status=State.PENDING, next_attempt_at__lte=now)
        .filter(lease.unclaimed(now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: limit or setting("NOTIFY_REDRIVE_BATCH")]
    )
