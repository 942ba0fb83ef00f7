"""The inbound side of WhatsApp: who wrote to the office, what they asked for, and our answers.

No message body is stored: a citizen's message may hold a NIK. The number is encrypted, with a
keyed digest for lookups (like the NIK). Answers are masked texts (as /cek-status/ shows them).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField, blind_index


def phone_digest(wa_number: str) -> str:
    return blind_index("whatsapp", wa_number)


class Contact(models.Model):
    """A number that wrote to the office's WhatsApp: its opt-in and the CEK it is in the middle of."""

    phone = EncryptedTextField(_("nomor WhatsApp"))
    phone_digest = models.CharField(max_length=64, unique=True, editable=False)
    phone_hint = models.CharField(_("nomor"), max_length=20, help_text=_("Disamarkan."))
    opted_in_at = models.DateTimeField(_("persetujuan menerima pesan"), default=timezone.now)
    opted_out_at = models.DateTimeField(_("berhenti berlangganan"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(_("pesan terakhir dari pemohon"), default=timezone.now)
    # "CEK <kode>" waits here for the NIK, until `pending_until`.
    pending_code = models.CharField(max_length=10, blank=True)
    pending_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)

    class Meta:
        verbose_name = _("kontak WhatsApp")
        verbose_name_plural = _("kontak WhatsApp")

    def __str__(self):
        return self.phone_hint

    def awaiting_nik(self, now=None) -> str:
        """Return the ticket code waiting for its NIK, or "" when none is (or it expired)."""
        if self.pending_code and self.pending_until and self.pending_until > (now or timezone.now()):
            return self.pending_code
        return ""


class InboundMessage(models.Model):
    """One message a citizen sent: its WhatsApp id (a redelivered webhook is answered once) and
    what it asked, never its text."""

    class Intent(models.TextChoices):
        CEK = "cek", _("Cek status: kode tiket")
        NIK = "nik", _("Cek status: NIK")
        STOP = "stop", _("Berhenti")
        HELP = "help", _("Bantuan")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="inbound")
    provider_message_id = models.CharField(max_length=100, unique=True)
    intent = models.CharField(_("maksud"), max_length=8, choices=Intent.choices)
    received_at = models.DateTimeField(_("diterima"), default=timezone.now)

    class Meta:
        verbose_name = _("pesan masuk WhatsApp")
        verbose_name_plural = _("pesan masuk WhatsApp")
        ordering = ["-received_at"]


class Reply(models.Model):
    """Our answer to an inbound message: an outbox row like a notification (claimed, retried, sent
    once thanks to its idempotency key), free-form text inside the 24-hour window."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu kirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("isi"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    provider_message_id = models.CharField(max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("balasan WhatsApp")
        verbose_name_plural = _("balasan WhatsApp")
        ordering = ["created_at", "id"]
        indexes = [
            # The reply redrive: "pending replies whose next attempt is due".
            models.Index(
                fields=["next_attempt_at"], name="whatsapp_reply_due", condition=Q(status="pending")
            ),
        ]
