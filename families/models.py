"""Families and batches: one KK change makes every member stale at the centre at once (DOMAIN.md).

A `FamilyGroup` ties together the tickets of the members of one (new) KK, whether they came to the
counter together or were imported from a list of newly issued KKs before anyone complained. Each
member keeps their own ticket, code, status and SyncJob; the group only reads them.

`ImportBatch` and `ImportRow` are the proactive import: the file is validated row by row into
ImportRows (NIK/KK kept as keyed digests plus an encrypted payload, never in clear), previewed,
and on confirmation each valid row becomes a proactive ticket in its family's group.
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens import nik as nikparse
from citizens.models import kk_digest
from core.crypto import EncryptedTextField
from core.fields import EncryptedNumber, EncryptedNumbers
from core.scoping import scope_of
from families.conf import setting
from tickets.models import Office, Ticket


class Relation(models.TextChoices):
    """Status hubungan dalam keluarga, as printed on the KK (SIAK's list)."""

    HEAD = "kepala", _("Kepala Keluarga")
    HUSBAND = "suami", _("Suami")
    WIFE = "istri", _("Istri")
    CHILD = "anak", _("Anak")
    CHILD_IN_LAW = "menantu", _("Menantu")
    GRANDCHILD = "cucu", _("Cucu")
    PARENT = "orang_tua", _("Orang Tua")
    PARENT_IN_LAW = "mertua", _("Mertua")
    OTHER_RELATIVE = "famili_lain", _("Famili Lain")
    HELPER = "pembantu", _("Pembantu")
    OTHER = "lainnya", _("Lainnya")


class ImportBatch(models.Model):
    """One uploaded file of newly issued KKs, from validation to the tickets it opened."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Sedang diperiksa")
        PREVIEWED = "previewed", _("Siap dikonfirmasi")
        IMPORTING = "importing", _("Sedang diimpor")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    BUSY_STATUSES = (Status.VALIDATING, Status.IMPORTING)

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("kantor")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Diunggah oleh"),
    )
    file_name = models.CharField(_("Nama berkas"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 berkas"), max_length=64)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    # The upload under SINKRON_VAR_DIR/imports/ while validation needs it; blank once deleted (the
    # file holds NIKs in clear, so it lives only until its rows are stored encrypted).
    stored_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    row_count = models.PositiveIntegerField(_("Baris data"), default=0)
    valid_count = models.PositiveIntegerField(_("Valid"), default=0)
    error_count = models.PositiveIntegerField(_("Salah"), default=0)
    duplicate_count = models.PositiveIntegerField(_("Ganda dalam berkas"), default=0)
    in_sync_count = models.PositiveIntegerField(_("Sudah sinkron"), default=0)
    imported_count = models.PositiveIntegerField(_("Tiket dibuat"), default=0)
    linked_count = models.PositiveIntegerField(_("Ditautkan ke tiket terbuka"), default=0)
    # Validation: rows read so far (total unknown until the end). Import: rows done of rows to do.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    failure_message = models.CharField(_("Keterangan gagal"), max_length=300, blank=True)
    runs = models.PositiveIntegerField(default=0, help_text=_("Task runs claimed, including crashed ones."))
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("Diunggah"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Dikonfirmasi oleh"),
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("impor KK")
        verbose_name_plural = _("impor KK")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file uploaded twice is the same batch: the upload shows the earlier one.
            models.UniqueConstraint(fields=["office", "file_sha256"], name="import_batch_once_per_file"),
        ]
        indexes = [
            models.Index(fields=["office", "-created_at"], name="import_batch_newest"),
            # The re-drive of batches whose task run was lost; few batches are ever busy.
            models.Index(
                fields=["updated_at"],
                name="import_batch_busy",
                condition=Q(status__in=["validating", "importing"]),
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_busy(self) -> bool:
        return self.status in self.BUSY_STATUSES

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.PREVIEWED and self.valid_count > 0

    @property
    def percent(self) -> int:
        """Return the import's progress in percent (validation has no known total: 0)."""
        if self.status == self.Status.DONE:
            return 100
        if self.status != self.Status.IMPORTING or not self.progress_total:
            return 0
        return min(100, 100 * self.progress_done // self.progress_total)

    def is_stale(self, now=None) -> bool:
        """Return whether a busy batch has shown no progress for long enough to re-drive it."""
        age = ((now or timezone.now()) - self.updated_at).total_seconds()
        return self.is_busy and age > setting("FAMILY_IMPORT_STALE_SECONDS")


class ImportRow(models.Model):
    """One data row of an uploaded file: its verdict, and (encrypted) what it said."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        ERROR = "error", _("Salah")
        DUPLICATE_IN_FILE = "duplicate_in_file", _("Ganda dalam berkas")
        ALREADY_IN_SYNC = "already_in_sync", _("Sudah sinkron")
        IMPORTED = "imported", _("Tiket dibuat")
        LINKED = "linked", _("Ditautkan ke tiket terbuka")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(
        _("Baris"), help_text=_("As a spreadsheet numbers it: header is 1.")
    )
    kk_digest = models.CharField(max_length=64, blank=True)
    nik_digest = models.CharField(max_length=64, blank=True)
    nik_masked = models.CharField(_("NIK"), max_length=40, blank=True)
    payload_json = EncryptedTextField(blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    errors = models.TextField(_("Kesalahan"), blank=True, help_text=_("Indonesian; never the NIK."))
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("baris impor")
        verbose_name_plural = _("baris impor")
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="import_row_once"),
        ]
        indexes = [
            # The preview's error rows, and the import's "next valid rows", in file order.
            models.Index(fields=["batch", "status", "row_number"], name="import_row_status"),
            # The post-pass that marks a NIK's later rows as duplicates within the file.
            models.Index(fields=["batch", "nik_digest"], name="import_row_nik"),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.row_number} {self.status}"

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json) if self.payload_json else {}


class FamilyGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the groups `user` may open: those of their scope's offices (core.scoping)."""
        return scope_of(user).rows(self)


class FamilyGroup(EncryptedNumbers):
    """The members of one KK whose tickets move together in the office's eyes."""

    encrypted_numbers = (EncryptedNumber("kk_number", nikparse.normalize, stem="kk", digest=kk_digest),)

    class Source(models.TextChoices):
        COUNTER = "counter", _("Loket")
        IMPORT = "import", _("Impor proaktif")

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="family_groups", verbose_name=_("kantor")
    )
    kk_number = EncryptedTextField(_("Nomor KK"))
    kk_digest = models.CharField(max_length=64, editable=False, db_index=True)
    kk_last4 = models.CharField(max_length=4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Petugas"),
    )
    created_at = models.DateTimeField(_("Tanggal Masuk"), default=timezone.now)
    source = models.CharField(_("sumber"), max_length=8, choices=Source.choices, default=Source.COUNTER)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("impor KK"),
    )

    objects = FamilyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("kelompok keluarga")
        verbose_name_plural = _("kelompok keluarga")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An import makes one group per KK in the file, however often its task re-runs.
            models.UniqueConstraint(
                fields=["batch", "kk_digest"],
                condition=Q(batch__isnull=False),
                name="family_group_once_per_kk_per_batch",
            ),
            models.CheckConstraint(
                condition=Q(source="counter", batch__isnull=True) | Q(source="import"),
                name="family_group_counter_has_no_batch",
            ),
        ]
        indexes = [
            # The dashboard's "groups opened in the period".
            models.Index(fields=["office", "created_at"], name="family_group_created"),
        ]

    def __str__(self):
        return f"KK {self.masked_kk}"

    @property
    def masked_kk(self) -> str:
        return nikparse.mask_last4(self.kk_last4)


class FamilyMember(models.Model):
    """A member of a family group, through their own ticket."""

    group = models.ForeignKey(FamilyGroup, on_delete=models.PROTECT, related_name="members")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="family_memberships")
    relation = models.CharField(_("Hubungan dalam keluarga"), max_length=12, choices=Relation.choices)
    # True when the ticket was already open before the group (it was linked, not opened for it).
    linked = models.BooleanField(_("ditautkan"), default=False)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order on the group's page and slip."))

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        ordering = ["group", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "ticket"], name="family_member_once_per_group"),
        ]

    def __str__(self):
        return f"{self.get_relation_display()} · {self.ticket}"


class FamilyPush(models.Model):
    """The outbox row of a family's KK update: one PUT /families/{kk} for every member of a group.

    While it is assembling or pending, the members' own SyncJobs are held (sync.held), and its
    outcome moves them all at once. The payload is built at the first push and then kept, so a
    re-push after a crash sends the very same body under the same Idempotency-Key.
    """

    class State(models.TextChoices):
        ASSEMBLING = "assembling", _("Menunggu impor selesai")
        PENDING = "pending", _("Menunggu kirim")
        ACCEPTED = "accepted", _("Diterima pusat")
        REFUSED = "refused", _("Ditolak pusat")
        SPLIT = "split", _("Dikirim per anggota")

    group = models.OneToOneField(
        FamilyGroup, on_delete=models.PROTECT, related_name="push", verbose_name=_("kelompok keluarga")
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(_("tahap"), max_length=12, choices=State.choices, default=State.PENDING)
    # Built at the first push (head, members' NIKs): encrypted like every personal number.
    payload_json = EncryptedTextField(blank=True)
    attempts = models.PositiveIntegerField(_("percobaan kirim"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # A passing failure's code while pending; why the members went one by one when split.
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)
    update_id = models.CharField(max_length=64, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # What the centre said when it refused: {"code", "detail", "members": [{"last4", "error"}]}.
    refusal = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kiriman KK keluarga")
        verbose_name_plural = _("kiriman KK keluarga")
        indexes = [
            # The family push sweep: pending pushes whose next attempt is due, oldest first.
            models.Index(fields=["next_attempt_at"], name="family_push_due", condition=Q(state="pending")),
        ]

    def __str__(self):
        return f"FamilyPush {self.group_id} ({self.state})"

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json) if self.payload_json else {}
