"""Queue notifications and deliver them (DESIGN.md §7: every write here, tasks stay thin).

Queueing runs in the caller's transaction and nudges a worker on commit, so nothing is sent from
inside a staff request. Delivery claims the row with a conditional UPDATE (a lease in
`claimed_until`) and acts only when exactly one row changed, so two workers or a redelivered message
never send the same notification twice. The send happens outside any transaction; the outcome and
its line on the ticket timeline are written together in one.
"""

import logging
import random
import uuid
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import lease
from core.backoff import backoff_seconds
from notifications.channels import (
    ChannelError,
    configured_channel_name,
    fallback_channel_names,
    get_channel,
)
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

    It goes through the first channel of `channel_chain` (the citizen's choice, NOTIFY_CHANNEL, then
    NOTIFY_FALLBACK). Nothing is queued (None) when no channel can reach this citizen: no phone, and
    no e-mail for the e-mail channel. Call it inside the transaction that changed the ticket, so
    the row commits or rolls back with it.
    """
    chain = channel_chain(ticket)
    if not chain:
        return None
    name = chain[0]
    notification = Notification.objects.create(
        ticket=ticket, kind=kind, channel=name, recipient_hint=recipient_hint_for(name, ticket)
    )
    transaction.on_commit(partial(nudge_after_commit, notification.pk))
    return notification


def channel_chain(ticket: Ticket) -> list[str]:
    """Return the channels to try for `ticket`, in order, leaving out those with no address for it
    and those its number opted out of (WhatsApp "BERHENTI").

    An unknown channel name stays in: the worker records it as failed, where someone will see it."""
    names = []
    for name in [ticket.notify_channel, configured_channel_name(), *fallback_channel_names()]:
        if name and name not in names and _reaches(name, ticket):
            names.append(name)
    return names


def _reaches(name: str, ticket: Ticket) -> bool:
    try:
        return get_channel(name).reaches(ticket)
    except ChannelError:
        return True


def recipient_hint_for(name: str, ticket: Ticket) -> str:
    try:
        channel = get_channel(name)
    except ChannelError:
        return ""
    return channel.mask(channel.address_for(ticket))


def nudge_after_commit(notification_id: int) -> None:
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
    address = address_of(notification, channel)
    if not address:
        return _failed(notification, str(channel.no_address))
    notification.recipient_hint = channel.mask(address)
    try:
        message = compose(notification.kind, notification.ticket)
        provider_id = channel.deliver(to=address, message=message, key=str(notification.idempotency_key))
    except ChannelError as exc:
        return _send_failed(notification, exc)
    except Exception:  # noqa: BLE001 - a bug in a channel must not leave the row claimed and silent
        logger.exception(
            "notification %s: unexpected error in channel %s", notification.pk, notification.channel
        )
        return _send_failed(notification, ChannelError(_("kesalahan sistem")))
    return _sent(notification, provider_id)


def address_of(notification: Notification, channel) -> str:
    """Return where the notification goes: the citizen's address, or the centre's WhatsApp."""
    if notification.kind == Kind.TO_CENTRE:
        return notification.ticket.office.central_contact_whatsapp or setting("WHATSAPP_CENTRE_NUMBER")
    return channel.address_for(notification.ticket)


def queue_centre_escalation(*, ticket: Ticket) -> Notification:
    """Queue the escalation template to the centre's WhatsApp (no fallback: it is not the citizen)."""
    number = ticket.office.central_contact_whatsapp or setting("WHATSAPP_CENTRE_NUMBER")
    notification = Notification.objects.create(
        ticket=ticket,
        kind=Kind.TO_CENTRE,
        channel="whatsapp",
        recipient_hint=get_channel("whatsapp").mask(number),
    )
    transaction.on_commit(partial(nudge_after_commit, notification.pk))
    return notification


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
        next_channel = fallback_for(notification)
        if next_channel:
            return _fell_back(notification, error.message, next_channel)
        return _failed(notification, error.message)
    return _retry(notification, error)


def _sent(notification: Notification, provider_id: str = "") -> str:
    message = EventText(
        gettext_noop("Pemberitahuan '%(kind)s' terkirim ke %(to)s (%(channel)s)."),
        **event_words(notification),
    )
    return _finish(
        notification,
        "sent",
        message,
        status=State.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_message_id=provider_id,
    )


def _fell_back(notification: Notification, reason: str, next_channel: str) -> str:
    message = fallback_text(notification, reason, next_channel)
    notification.recipient_hint = recipient_hint_for(next_channel, notification.ticket)
    transaction.on_commit(partial(nudge_after_commit, notification.pk))
    return _finish(notification, "fallback", message, **fallback_fields(next_channel, reason))


def _retry(notification: Notification, error: ChannelError) -> str:
    next_at = timezone.now() + retry_delay(notification.attempts, retry_after=error.retry_after)
    message = EventText(
        gettext_noop(
            "Pemberitahuan '%(kind)s' ke %(to)s (%(channel)s) belum terkirim, percobaan %(n)s dari "
            "%(max)s: %(error)s. Dicoba lagi %(when)s WIB."
        ),
        **event_words(notification),
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
        **event_words(notification),
        error=reason,
    )
    return _finish(notification, "failed", message, status=State.FAILED, last_error=reason)


def _cancelled(notification: Notification) -> str:
    message = EventText(
        gettext_noop("Pemberitahuan '%(kind)s' dibatalkan: status tiket sudah berubah."),
        **event_words(notification),
    )
    return _finish(notification, "cancelled", message, status=State.CANCELLED)


def event_words(notification: Notification) -> dict:
    return {
        "kind": Notification.Kind(notification.kind).label,  # lazy: the timeline translates it on reading
        "to": notification.recipient_hint or "-",
        "channel": CHANNEL_WORDS.get(notification.channel, notification.channel),
    }


CHANNEL_WORDS = {"whatsapp": "WhatsApp", "sms": "SMS"}


# --- fallback to the next channel -----------------------------------------------------------------


def fallback_for(notification: Notification) -> str | None:
    """Return the channel after the notification's own in its ticket's chain, or None."""
    chain = channel_chain(notification.ticket)
    if notification.kind == Kind.TO_CENTRE or notification.channel not in chain:
        return None
    rest = chain[chain.index(notification.channel) + 1 :]
    return rest[0] if rest else None


def fallback_text(notification: Notification, reason: str, next_channel: str) -> EventText:
    return EventText(
        gettext_noop(
            "Pemberitahuan '%(kind)s' ke %(to)s (%(channel)s) gagal: %(error)s. Dialihkan ke %(next)s."
        ),
        **event_words(notification),
        error=reason,
        next=CHANNEL_WORDS.get(next_channel, next_channel),
    )


def fallback_fields(next_channel: str, reason: str) -> dict:
    """The row's fields for a fresh start on `next_channel`, with a new idempotency key."""
    return {
        "status": State.PENDING,
        "channel": next_channel,
        "attempts": 0,
        "next_attempt_at": timezone.now(),
        "idempotency_key": uuid.uuid4(),
        "provider_message_id": "",
        "last_error": reason[:300],
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
