"""Every write of the inbound side: a citizen's message in, our reply out (DESIGN.md §7).

`receive_message` runs in the webhook's request: it records the contact and what was asked (never
the text), decides the answer, and queues it as a Reply nudged on commit. `send_reply` runs in a
worker: claim, send with the reply's idempotency key, record; a redelivered nudge sends nothing twice.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import lease
from notifications.channels import ChannelError
from notifications.channels.whatsapp import WhatsAppChannel, wa_number
from notifications.conf import setting
from notifications.masking import mask_phone
from notifications.optout import clear_opt_out, record_opt_out
from notifications.services import retry_delay
from tickets.public_views import lookup_status
from whatsapp import conversation
from whatsapp.models import Contact, InboundMessage, Reply, phone_digest

logger = logging.getLogger(__name__)


# --- inbound -------------------------------------------------------------------------------------


def receive_message(*, phone: str, provider_message_id: str, text: str) -> Reply | None:
    """Answer one inbound text message; None when it was answered before (a redelivered webhook)."""
    number = wa_number(phone)
    intent = conversation.read(text)
    try:
        with transaction.atomic():
            contact = _contact_for(number)
            InboundMessage.objects.create(
                contact=contact, provider_message_id=provider_message_id[:100], intent=intent.kind
            )
            return queue_reply(contact=contact, text=_answer(contact, intent))
    except IntegrityError:  # the same message id again
        return None


def _contact_for(number: str) -> Contact:
    """Return the number's contact, locked, its window opened now (first contact: opted in now)."""
    now = timezone.now()
    contact, created = Contact.objects.select_for_update().get_or_create(
        phone_digest=phone_digest(number),
        defaults={"phone": number, "phone_hint": mask_phone("+" + number), "opted_in_at": now},
    )
    if not created:
        contact.last_inbound_at = now
        if contact.opted_out_at:  # writing again is opting in again
            contact.opted_out_at, contact.opted_in_at = None, now
            clear_opt_out("whatsapp", number)
        contact.save(update_fields=["last_inbound_at", "opted_out_at", "opted_in_at"])
    return contact


def _answer(contact: Contact, intent: conversation.Intent) -> str:
    if intent.kind == "stop":
        _remember(contact, code="", opted_out_at=timezone.now())
        record_opt_out("whatsapp", contact.phone)  # ticket messages go by SMS or e-mail from now on
        return conversation.stopped_text()
    if intent.kind == "cek" and not intent.nik:
        _remember(contact, code=intent.code)
        return conversation.ask_nik(intent.code)
    code = intent.code or contact.awaiting_nik()
    if not code or not intent.nik:
        return conversation.help_text()
    _remember(contact, code="")
    outcome, answer = lookup_status(client=f"wa:{contact.phone_digest}", nik=intent.nik, code=code)
    return conversation.answer_text(outcome, answer)


def _remember(contact: Contact, *, code: str, **fields) -> None:
    wait = timedelta(seconds=settings.WHATSAPP_CEK_WAIT_SECONDS)
    until = timezone.now() + wait if code else None
    Contact.objects.filter(pk=contact.pk).update(pending_code=code, pending_until=until, **fields)


def queue_reply(*, contact: Contact, text: str) -> Reply:
    reply = Reply.objects.create(contact=contact, text=text)
    transaction.on_commit(partial(_publish, reply.pk))
    return reply


def _publish(reply_id: int) -> None:
    from whatsapp.tasks import nudge  # whatsapp.tasks imports this module

    nudge(reply_id)


# --- sending -------------------------------------------------------------------------------------


def send_reply(reply_id: int, *, now=None) -> str:
    """Send one reply; return "sent", "retry", "failed" or "skipped" (not due, or held elsewhere)."""
    now = now or timezone.now()
    due = Reply.objects.filter(pk=reply_id, status=Reply.Status.PENDING, next_attempt_at__lte=now)
    if not lease.claim(due, now=now, seconds=setting("NOTIFY_CLAIM_SECONDS"), attempts=F("attempts") + 1):
        return "skipped"
    reply = Reply.objects.select_related("contact").get(pk=reply_id)
    try:
        message_id = WhatsAppChannel().send_text(
            to=reply.contact.phone, text=reply.text, key=str(reply.idempotency_key)
        )
    except ChannelError as error:
        return _not_sent(reply, error)
    lease.release(reply, status=Reply.Status.SENT, sent_at=timezone.now(), provider_message_id=message_id)
    return "sent"


def _not_sent(reply: Reply, error: ChannelError) -> str:
    if error.permanent or reply.attempts >= setting("NOTIFY_MAX_ATTEMPTS"):
        logger.warning("whatsapp reply %s failed: %s", reply.pk, error.message)
        lease.release(reply, status=Reply.Status.FAILED, last_error=error.message)
        return "failed"
    next_at = timezone.now() + retry_delay(reply.attempts, retry_after=error.retry_after)
    lease.release(reply, next_attempt_at=next_at, last_error=error.message)
    return "retry"


def due_replies(*, now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        Reply.objects.filter(status=Reply.Status.PENDING, next_attempt_at__lte=now)
        .filter(lease.unclaimed(now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
