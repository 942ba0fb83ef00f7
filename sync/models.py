"""The outbox: one SyncJob per ticket, and a SyncAttempt row per call to the registry.

The database is the source of truth for every wait (`next_attempt_at`); Celery messages only
nudge. The job's payload holds the NIK, so it is stored encrypted like every personal number.
"""

import json
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from tickets.models import Ticket


class SyncJob(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu kirim")
        ACCEPTED = "accepted", _("Diterima pusat")
        VERIFIED = "verified", _("Terverifikasi")
        FAILED = "failed", _("Gagal")
        REJECTED = "rejected", _("Ditolak pusat")
        CANCELLED = "cancelled", _("Dihentikan")
        # Waiting to travel with others in one call (a family's KK update): neither pushed nor
        # re-driven on its own; the batch's owner moves it on (sync.held).
        HELD = "held", _("Dikirim bersama")
        # The centre shows the data; the portal the citizen named is checked until it does too.
        PORTAL = "portal", _("Menunggu portal")

    ACTIVE_STATES = (State.PENDING, State.ACCEPTED, State.PORTAL)

    ticket = models.OneToOneField(
        Ticket, on_delete=models.PROTECT, related_name="sync_job", verbose_name=_("tiket")
    )
    payload_json = EncryptedTextField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(_("tahap"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(
        _("percobaan kirim"), default=0, help_text=_("Push attempts claimed, including crashed ones.")
    )
    checks = models.PositiveIntegerField(_("pengecekan"), default=0)
    portal = models.CharField(_("portal"), max_length=20, blank=True)  # set when the portal stage starts
    portal_checks = models.PositiveIntegerField(_("pengecekan portal"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Set when the sweeper publishes the job's message, cleared when a worker claims it: a job
    # whose message still waits in the queue is not published again by every sweep.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)
    update_id = models.CharField(max_length=64, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(_("Batas SLA"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("dieskalasi"), null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # The clerk asked for a nonaktif NIK's reactivation: the next push first asks the centre for it.
    reactivate_first = models.BooleanField(default=False)
    # Since when the data waits for the centre to accept it: the row's creation, or the clerk's
    # resubmission after a refusal (the accept deadline in sync/sweep.py counts from here).
    pushing_since = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("antrian sinkronisasi")
        verbose_name_plural = _("antrian sinkronisasi")
        indexes = [
            # The sweeper: "active jobs whose next attempt is due", oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="syncjob_due",
                condition=Q(state__in=["pending", "accepted", "portal"]),
            ),
            # The SLA sweep: accepted jobs past their due time, not yet escalated.
            models.Index(
                fields=["sla_due_at"],
                name="syncjob_sla",
                condition=Q(state="accepted", escalated_at__isnull=True),
            ),
            # The dashboard's "oldest unverified": accepted jobs oldest first, read until one of
            # the office's (desk.selectors.dashboard.registry_health).
            models.Index(fields=["accepted_at"], name="syncjob_accepted", condition=Q(state="accepted")),
            # The accept deadline: pending jobs waiting longest for the centre to accept them.
            models.Index(fields=["pushing_since"], name="syncjob_pushing", condition=Q(state="pending")),
        ]

    def __str__(self):
        return f"SyncJob {self.ticket_id} ({self.state})"

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json)

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class SyncAttempt(models.Model):
    """One HTTP call to the registry: what, how it went, how long it took. No personal data."""

    class Operation(models.TextChoices):
        PUSH = "push", _("Kirim")
        UPDATE_STATUS = "status", _("Cek status pembaruan")
        RESIDENT = "resident", _("Cek data penduduk")
        PORTAL = "portal", _("Cek portal")
        EXPEDITE = "expedite", _("Jalur darurat")
        REACTIVATE = "reactivate", _("Aktivasi NIK")

    job = models.ForeignKey(
        SyncJob, on_delete=models.CASCADE, related_name="attempts_log", verbose_name=_("antrian sinkronisasi")
    )
    operation = models.CharField(_("operasi"), max_length=10, choices=Operation.choices)
    outcome = models.CharField(_("hasil"), max_length=20)
    status_code = models.PositiveSmallIntegerField(_("kode status HTTP"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("waktu tanggap (ms)"), null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("percobaan sinkronisasi")
        verbose_name_plural = _("percobaan sinkronisasi")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["job", "-created_at"], name="syncattempt_job"),
            models.Index(fields=["created_at", "operation"], name="syncattempt_recent"),
        ]
