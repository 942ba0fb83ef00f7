"""The audit trail: who saw a full NIK/KK, who changed or exported what, from where, when.

Append-only and tamper-evident: every entry carries the SHA-256 of its predecessor's hash and its
own content (audit/chain.py), so changing or deleting a row breaks the chain at that row, and
`manage.py audit_verify` names it. The model refuses updates and deletes; on PostgreSQL a trigger
refuses them too (migration 0001). No entry holds a full NIK or KK number: audit/scrub.py masks
every 16-digit run before anything is written. Write only through audit.services.record().
"""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit import chain

APPEND_ONLY = "AuditEntry is append-only."


class Action(models.TextChoices):
    VIEW_FULL_NIK = "view_full_nik", _("Melihat NIK/KK lengkap")
    VIEW_DOCUMENT = "view_document", _("Melihat dokumen")
    ESCALATION_MESSAGE = "escalation_message", _("Melihat pesan eskalasi lengkap")
    SUBJECT_ACCESS = "subject_access", _("Membuka data subjek")
    EXPORT = "export", _("Ekspor data")
    CORRECTION = "correction", _("Koreksi data")
    RETENTION_PURGE = "retention_purge", _("Penghapusan masa retensi")
    KEY_ROTATION = "key_rotation", _("Rotasi kunci")


class AuditEntryQuerySet(models.QuerySet):
    """Reads only: bulk writes would bypass the chain, bulk updates and deletes would break it."""

    def update(self, **kwargs):
        raise ValueError(APPEND_ONLY)

    def delete(self):
        raise ValueError(APPEND_ONLY)

    def bulk_create(self, *args, **kwargs):
        raise ValueError("AuditEntry rows are written one at a time by audit.services.record().")

    def bulk_update(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)

    def for_offices(self, office_codes):
        """Entries by the offices' staff, or about the offices' tickets and reports."""
        codes = sorted(office_codes)
        return self.filter(models.Q(office__in=codes) | models.Q(actor_office__in=codes))

    def for_ticket(self, code: str):
        return self.filter(object_type=AuditEntry.TICKET, object_id=code)


class AuditEntry(models.Model):
    TICKET, CITIZEN, REPORT, SYSTEM = "ticket", "citizen", "report", "system"

    sequence = models.PositiveBigIntegerField(_("nomor urut"), unique=True, editable=False)
    created_at = models.DateTimeField(_("waktu"), editable=False)
    actor = models.ForeignKey(
        # PROTECT: deleting a user would rewrite (and so break) every entry of theirs; deactivate them.
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelaku"),
        help_text=_("Kosong berarti sistem."),
    )
    actor_label = models.CharField(_("nama pelaku"), max_length=150)
    actor_office = models.CharField(
        _("kantor pelaku"), max_length=20, blank=True, help_text=_("Kode kantor pelaku saat kejadian.")
    )
    action = models.CharField(_("tindakan"), max_length=30, choices=Action.choices)
    object_type = models.CharField(_("jenis objek"), max_length=20, blank=True)
    object_id = models.CharField(
        _("objek"), max_length=64, blank=True, help_text=_("Kode tiket atau id penduduk; tidak pernah NIK.")
    )
    office = models.CharField(
        _("kantor objek"), max_length=20, blank=True, help_text=_("Kode kantor pemilik tiket atau laporan.")
    )
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    details = models.JSONField(_("rincian"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entri audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-sequence"]
        indexes = [
            # The supervisor's page: the office's entries (by object or by actor), newest first.
            models.Index(fields=["office", "-sequence"], name="audit_office"),
            models.Index(fields=["actor_office", "-sequence"], name="audit_actor_office"),
            # "Everything about ticket X" and "everything staff member Y did".
            models.Index(fields=["object_type", "object_id", "-sequence"], name="audit_object"),
            models.Index(fields=["actor_label", "-sequence"], name="audit_actor"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.get_action_display()} · {self.actor_label}"

    @property
    def object_label(self) -> str:
        """The object as people read it: a ticket code with its dash, else type and id."""
        if self.object_type == self.TICKET and len(self.object_id) == 10:
            return f"{self.object_id[:5]}-{self.object_id[5:]}"
        return f"{self.object_type} {self.object_id}".strip()

    @property
    def details_text(self) -> str:
        """The details as one line of compact JSON, for lists."""
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))

    def hashed_fields(self) -> dict:
        return {name: getattr(self, name) for name in chain.HASHED_FIELDS}

    def computed_hash(self) -> str:
        return chain.link_hash(self.prev_hash, self.hashed_fields())

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(APPEND_ONLY)
        if not self.hash or self.hash != self.computed_hash():
            raise ValueError("Write audit entries through audit.services.record().")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)
