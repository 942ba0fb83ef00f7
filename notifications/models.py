"""One row per message to a citizen: the outbox of notifications.

The database is the source of truth (DESIGN.md §4): a receiver inserts the row in the ticket's own
transaction, a Celery message only nudges a worker, and the redrive task re-publishes whatever is
due, so a lost message or a gateway outage loses nothing. Rows hold no full phone or address.

`idempotency_key` goes with every send of the row to the gateway: a worker killed after the gateway
accepted a message but before the row says "sent" leaves the row to be sent again, and the gateway
answers the repeat with the message it already has instead of sending a second one. A new key is
drawn only when the row falls back to another channel.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket


class Notification(models.Model):
    class Kind(models.TextChoices):
        OPENED = "opened", _("Pengaduan diterima")
        CENTRE_APPLIED = "centre_applied", _("Selesai di pusat")
        RESOLVED = "resolved", _("Selesai")
        REJECTED = "rejected", _("Ditolak")
        ESCALATED = "escalated", _("Eskalasi")
        ACTION_NEEDED = "action", _("Perlu tindakan")
        CODE_RESEND = "code_resend", _("Kirim ulang kode tiket")
        # To the centre's WhatsApp, not to the citizen (the escalation desk's emergency channel).
        TO_CENTRE = "to_centre", _("Eskalasi ke pusat lewat WhatsApp")

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu kirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        CANCELLED = "cancelled", _("Dibatalkan")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("kanal"), max_length=20)
    recipient_hint = models.CharField(
        _("penerima"), max_length=120, blank=True, help_text=_("Disamarkan, mis. +62812****7890.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(
        _("percobaan"), default=0, help_text=_("Pengiriman yang dimulai, termasuk yang terputus.")
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    # The gateway's id of the sent message (a WhatsApp wamid): its receipts name it.
    provider_message_id = models.CharField(_("id pesan di gateway"), max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("diterima pemohon"), null=True, blank=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pemberitahuan")
        verbose_name_plural = _("pemberitahuan")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The redrive: "pending notifications whose next attempt is due", oldest first.
            models.Index(fields=["next_attempt_at"], name="notification_due", condition=Q(status="pending")),
            # A receipt from the gateway finds its message by the gateway's id.
            models.Index(
                fields=["provider_message_id"],
                name="notification_provider_id",
                condition=~Q(provider_message_id=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.ticket_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def is_due(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_pending
            and self.next_attempt_at <= now
            and (self.claimed_until is None or self.claimed_until < now)
        )


class OptOut(models.Model):
    """A number that asked not to be messaged on a channel (WhatsApp "BERHENTI"): ticket messages
    skip that channel for it, to the next of the chain, until the number writes again. Only a keyed
    digest of the number is kept."""

    channel = models.CharField(_("kanal"), max_length=10)
    address_digest = models.CharField(max_length=64, editable=False)
    opted_out_at = models.DateTimeField(_("berhenti berlangganan"), default=timezone.now)

    class Meta:
        verbose_name = _("penolakan pesan")
        verbose_name_plural = _("penolakan pesan")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_digest"], name="notifications_optout_unique")
        ]
