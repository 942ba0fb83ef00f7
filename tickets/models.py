"""The complaint: offices, tickets and their timeline."""

import functools
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from citizens import nik as nikparse
from citizens.models import Citizen
from core.crypto import EncryptedTextField
from core.fields import EncryptedNumber, EncryptedNumbers
from tickets.blocks import Block
from tickets.portals import centre_applied_note
from tickets.sla import portal_window
from tickets.texts import render as render_text
from tickets.workflow import AWAITING_CENTRE, OPEN_STATUSES, Status

# No 0/O, 1/I/L: a code read aloud at the counter or typed from a slip must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 ~ 8e14: unguessable, and short enough to type from a slip


def new_ticket_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_ticket_code(text: str) -> str:
    """Return the canonical code from what a person typed ("abcde-fghjk " -> "ABCDEFGHJK")."""
    return "".join(ch for ch in (text or "").upper() if ch in CODE_ALPHABET)


def format_ticket_code(code: str) -> str:
    """Return a canonical ten-character code as printed on the slip ("ABCDE-FGHJK"); others as given."""
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


class CheapChoiceLabels:
    """get_FOO_display() in one dictionary lookup and one translation.

    Django's version rebuilds the field's choices on every call and hashes each lazy label, which
    translates every label of the field: ~600 gettext calls for one page of the queue.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels_by_value(field).get(value, value), strings_only=True)


@functools.cache
def _labels_by_value(field) -> dict:
    return dict(field.flatchoices)  # hashes the values only; the lazy labels stay untranslated


class Office(models.Model):
    """One Disdukcapil office. Staff and tickets belong to exactly one.

    Offices sit in the Kemendagri region tree through `region_code`: a regency/city office
    ("33.19"), the provincial office ("33") above it, the national one (no code) above all. The
    province is the code's first two digits, so the tree needs no parent column to keep in step.
    """

    class Level(models.IntegerChoices):
        NATIONAL = 0, _("Nasional")
        PROVINCE = 1, _("Provinsi")
        REGENCY = 2, _("Kabupaten/Kota")

    code = models.CharField(_("kode kantor"), max_length=20, unique=True)
    name = models.CharField(_("nama kantor"), max_length=150)
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices, default=Level.REGENCY)
    central_contact_whatsapp = models.CharField(_("WhatsApp kontak pusat"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("kantor")
        verbose_name_plural = _("kantor")
        constraints = [
            # The level is the region code's depth: "" national, "33" province, "33.19" regency/city.
            models.CheckConstraint(
                condition=Q(level=0, region_code="")
                | Q(level=1, region_code__regex=r"^[0-9]{2}$")
                | Q(level=2, region_code__regex=r"^[0-9]{2}\.[0-9]{2}$"),
                name="office_level_matches_region_code",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def province_code(self) -> str:
        return self.region_code.partition(".")[0]

    def offices_of_province(self) -> models.QuerySet:
        """Return every office of this office's province: the provincial office and its regencies."""
        if self.level == self.Level.NATIONAL:
            return Office.objects.all()
        province = self.province_code
        return Office.objects.filter(Q(region_code=province) | Q(region_code__startswith=f"{province}."))


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("pengguna"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="staff", verbose_name=_("kantor")
    )

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")

    def __str__(self):
        return f"{self.user} @ {self.office}"


class Category(models.TextChoices):
    NIK_NOT_FOUND = "nik_not_found", _("NIK tidak ditemukan di pusat")
    KK_MISMATCH = "kk_mismatch", _("Nomor KK tidak sesuai dengan NIK")
    NEW_KK = "new_kk", _("KK baru belum terkonsolidasi")
    MOVE_NOT_RECORDED = "move", _("Pindah datang belum tercatat")
    NAME_MISMATCH = "name", _("Data tidak sesuai: nama")
    BIRTH_MISMATCH = "birth", _("Data tidak sesuai: tanggal/tempat lahir")
    OTHER_DATA = "other_data", _("Data tidak sesuai: elemen lain")
    DUPLICATE_NIK = "duplicate_nik", _("NIK ganda")
    INACTIVE_NIK = "inactive_nik", _("NIK nonaktif")
    PROACTIVE = "proactive", _("Resinkronisasi proaktif (KK baru)")
    OTHER = "other", _("Lainnya")


class Service(models.TextChoices):
    SSCASN = "sscasn", _("SSCASN/CPNS")
    BPJS = "bpjs", _("BPJS")
    BANK = "bank", _("Bank")
    BANSOS = "bansos", _("Bansos")
    PEMILU = "pemilu", _("Pemilu")
    OTHER = "other", _("Lainnya")


class NotifyChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        """Open tickets past the 1x24 jam promise that the centre does not show yet."""
        return self.filter(status__in=AWAITING_CENTRE, due_at__lt=now or timezone.now())

    def for_office(self, office):
        return self.filter(office=office)


class Ticket(CheapChoiceLabels, EncryptedNumbers):
    encrypted_numbers = (
        EncryptedNumber("kk_number", nikparse.normalize, stem="kk"),
        EncryptedNumber("kk_number_old", nikparse.normalize),
    )

    code = models.CharField(_("Kode Tiket"), max_length=CODE_LENGTH, unique=True, default=new_ticket_code)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("kantor")
    )
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="tickets")
    category = models.CharField(_("Kategori Pengaduan"), max_length=20, choices=Category.choices)
    service = models.CharField(_("Layanan Terdampak"), max_length=20, choices=Service.choices)
    kk_number = EncryptedTextField(_("Nomor KK"))
    kk_last4 = models.CharField(max_length=4, editable=False)
    kk_number_old = EncryptedTextField(_("Nomor KK Lama"), blank=True)
    description = models.TextField(_("Uraian Masalah"), blank=True)
    # The contact given with this complaint: its messages go here. Kept per ticket so that an intake
    # at another office never redirects this office's messages (security round two, finding 8).
    phone = EncryptedTextField(_("No. HP/WA"), blank=True)
    email = EncryptedTextField(_("E-mail"), blank=True)
    # The citizen's choice of channel for this complaint's messages (empty: the office's order,
    # NOTIFY_CHANNEL then NOTIFY_FALLBACK); choosing WhatsApp is the opt-in, recorded with its time.
    notify_channel = models.CharField(
        _("Kirim pemberitahuan lewat"), max_length=10, choices=NotifyChannel.choices, blank=True
    )
    whatsapp_opt_in_at = models.DateTimeField(_("Persetujuan WhatsApp"), null=True, blank=True)
    deadline = models.DateField(_("Batas waktu layanan"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    # Why the centre refused, while that still holds (action_needed, or escalated to its personnel).
    centre_block = models.CharField(_("hambatan di pusat"), max_length=20, choices=Block.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("Petugas"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome_note = models.TextField(_("Tindak Lanjut"), blank=True)
    created_at = models.DateTimeField(_("Tanggal Masuk"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(_("Tanggal Kirim ke Pusat"), null=True, blank=True)
    # The 1x24 jam promise to the citizen, from the counter; the centre's own 1x24 jam runs from
    # its acceptance (docs/operations.md, "Janji 1x24 jam").
    due_at = models.DateTimeField(_("Batas SLA"), null=True, blank=True)
    centre_due_at = models.DateTimeField(_("Batas Pusat"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("Tanggal Selesai"), null=True, blank=True)
    # The second stage (tickets/portals.py): the centre shows the data, then the portal the citizen
    # named does, or its window passes first.
    centre_applied_at = models.DateTimeField(_("Tanggal Selesai di Pusat"), null=True, blank=True)
    portal_seen_at = models.DateTimeField(_("Tanggal Tampil di Portal"), null=True, blank=True)
    portal_window_passed_at = models.DateTimeField(_("Batas Portal Lewat"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Tanggal Ditutup"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiket")
        verbose_name_plural = _("tiket")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_offices", _("Dapat melihat tiket semua kantor")),
            ("view_province_offices", _("Dapat melihat tiket semua kantor di provinsinya")),
            ("export_full_nik", _("Dapat mengunduh NIK lengkap")),
        ]
        constraints = [
            # One open complaint per person and problem: a second one is refused at intake.
            models.UniqueConstraint(
                fields=["citizen", "category"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="one_open_ticket_per_citizen_category",
            ),
        ]
        indexes = [
            # The queue: office-scoped, newest first, optionally filtered by one column.
            # "-id" is the queue's tie-breaker (ORDER BY created_at DESC, id DESC): with it the
            # capped count and a deep page's OFFSET are index-only scans, without a sort.
            models.Index(fields=["office", "-created_at", "-id"], name="ticket_queue_newest_id"),
            # The same queue across offices (a province's or the nation's readers): walked newest
            # first with the office list as a filter, instead of sorting every ticket of a province.
            models.Index(fields=["-created_at", "-id"], name="ticket_queue_all_newest"),
            models.Index(fields=["office", "status", "-created_at", "-id"], name="ticket_queue_status_id"),
            models.Index(fields=["office", "category", "-created_at"], name="ticket_queue_category"),
            models.Index(fields=["office", "service", "-created_at"], name="ticket_queue_service"),
            models.Index(fields=["office", "assignee", "-created_at"], name="ticket_queue_mine"),
            # "Most urgent first" and the overdue filter only look at open tickets.
            models.Index(
                fields=["office", "due_at"],
                name="ticket_queue_urgent",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # The dashboard's and the roll-up's "resolved in the period", SLA and time to resolve:
            # with the columns they read included, an index-only scan (roll-up at 1M: 40 -> 14 ms).
            models.Index(
                fields=["office", "resolved_at"],
                include=["sent_at", "created_at", "id"],
                name="ticket_resolved_covering",
                condition=Q(resolved_at__isnull=False),
            ),
            # The dashboard's portal stage: "portal saw it" and "window passed" in the period, and
            # the time from centre-applied to portal-visible.
            models.Index(
                fields=["office", "portal_seen_at"],
                name="ticket_portal_seen",
                condition=Q(portal_seen_at__isnull=False),
            ),
            models.Index(
                fields=["office", "portal_window_passed_at"],
                name="ticket_portal_window_passed",
                condition=Q(portal_window_passed_at__isnull=False),
            ),
            # The sync sweeper's "new tickets without an outbox row"; few rows are ever new.
            models.Index(fields=["created_at"], name="ticket_new", condition=Q(status="new")),
        ]

    def __str__(self):
        return self.display_code

    @property
    def display_code(self) -> str:
        return format_ticket_code(self.code)

    @property
    def masked_kk(self) -> str:
        return nikparse.mask_last4(self.kk_last4)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        awaiting = self.status in AWAITING_CENTRE
        return awaiting and self.due_at is not None and self.due_at < (now or timezone.now())

    @property
    def centre_deadline_differs(self) -> bool:
        """True when the centre's 1x24 jam (from acceptance) ends visibly later than the promise
        made at the counter (a push that waited, a resubmission): the page then shows both."""
        if not (self.centre_due_at and self.due_at):
            return False
        return abs(self.centre_due_at - self.due_at) >= timedelta(minutes=1)

    @property
    def centre_applied_note(self) -> str:
        return centre_applied_note(self.service)

    @property
    def portal_due_at(self):
        """Return when the portal's window ends (None before the centre applied the data)."""
        return self.centre_applied_at + portal_window() if self.centre_applied_at else None


class TicketEvent(CheapChoiceLabels, models.Model):
    """One line of a ticket's timeline. Append-only: rows are never edited or deleted."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Pengaduan dibuat")
        NOTE = "note", _("Catatan Internal")
        ASSIGNED = "assigned", _("Petugas ditetapkan")
        STATUS = "status", _("Status berubah")
        SYNC = "sync", _("Sinkronisasi")
        ESCALATION = "escalation", _("Eskalasi ke pusat")
        NOTIFICATION = "notification", _("Pemberitahuan ke pemohon")
        DATA_WARNING = "data_warning", _("Data berbeda dengan NIK")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="events", verbose_name=_("tiket")
    )
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelaku"),
        help_text=_("Kosong berarti sistem."),
    )
    kind = models.CharField(_("jenis"), max_length=14, choices=Kind.choices)
    from_status = models.CharField(_("dari status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("ke status"), max_length=20, choices=Status.choices, blank=True)
    message = models.TextField(blank=True)
    # Set when `message` is one of our texts: read back through gettext in the reader's language
    # (tickets.texts). Empty for free text a person typed and for rows written before.
    message_id = models.TextField(blank=True, default="")
    message_params = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("riwayat tiket")
        verbose_name_plural = _("riwayat tiket")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_timeline"),
            # The dashboard's "registry rejections in the period" (status changes by day).
            models.Index(
                fields=["to_status", "created_at"], name="event_status_changes", condition=Q(kind="status")
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} @ {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"

    @property
    def text(self) -> str:
        """Return the event's text in the active language (as stored, for free text and old rows)."""
        if not self.message_id:
            return self.message
        try:
            return render_text(self.message_id, self.message_params)
        except (KeyError, TypeError, ValueError):  # a translation whose placeholders do not fit
            return self.message

    @property
    def actor_label(self) -> str:
        if self.actor is None:
            return str(_("sistem"))
        return self.actor.get_full_name() or self.actor.get_username()

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("TicketEvent is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("TicketEvent is append-only.")


class StaffAlert(models.Model):
    """A message to one staff member in the app: a ticket was given to them, or one of theirs escalated.

    Written by tickets.services in the transaction of the change it reports.
    """

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Tiket dialihkan kepada Anda")
        ESCALATED = "escalated", _("Tiket Anda dieskalasi")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_alerts")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="staff_alerts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pemberitahuan petugas")
        verbose_name_plural = _("pemberitahuan petugas")
        indexes = [
            # The alerts page: a user's alerts, newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="alert_inbox"),
            # The navbar badge on every staff page: COUNT of the user's unread alerts.
            models.Index(fields=["user"], name="alert_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.ticket}"
