"""Who the citizen is: regions, family cards (KK) and citizens (NIK).

NIK, KK number and phone are encrypted at rest; each has a keyed digest column for exact lookup
and uniqueness, and the NIK/KK keep their last four digits in clear for masked display in lists
(the mask shows those digits anyway, and decrypting a page of rows would cost more than it hides).
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from citizens import nik as nikparse
from core.crypto import EncryptedTextField, blind_index
from core.fields import EncryptedNumber, EncryptedNumbers


class Region(models.Model):
    """A Kemendagri administrative region: province, regency/city or district (dotted code)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Provinsi")
        REGENCY = 2, _("Kabupaten/Kota")
        DISTRICT = 3, _("Kecamatan")

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("wilayah induk"),
    )

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


def kk_digest(kk_number: str) -> str:
    return blind_index("kk", nikparse.normalize(kk_number))


def nik_digest(nik: str) -> str:
    return blind_index("nik", nikparse.normalize(nik))


class FamilyCardQuerySet(models.QuerySet):
    def with_number(self, kk_number: str):
        """Filter by exact KK number; text that is no KK number matches nothing."""
        try:
            return self.filter(kk_digest=kk_digest(kk_number))
        except nikparse.InvalidNumber:
            return self.none()


class FamilyCard(EncryptedNumbers):
    """A Kartu Keluarga. A new KK number is a new row: the old card stays for the history."""

    encrypted_numbers = (EncryptedNumber("kk_number", nikparse.normalize, stem="kk", digest=kk_digest),)

    kk_number = EncryptedTextField(_("Nomor KK"))
    kk_digest = models.CharField(max_length=64, unique=True, editable=False)
    kk_last4 = models.CharField(max_length=4, editable=False)
    head_name = models.CharField(_("kepala keluarga"), max_length=150, blank=True)
    address = models.TextField(_("alamat"), blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("wilayah")
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = FamilyCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("kartu keluarga")
        verbose_name_plural = _("kartu keluarga")

    def __str__(self):
        return f"KK {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return nikparse.mask_last4(self.kk_last4)


class CitizenQuerySet(models.QuerySet):
    def with_nik(self, nik: str):
        """Filter by exact NIK; text that is no NIK matches nothing."""
        try:
            return self.filter(nik_digest=nik_digest(nik))
        except nikparse.InvalidNumber:
            return self.none()


class Citizen(EncryptedNumbers):
    encrypted_numbers = (EncryptedNumber("nik", nikparse.normalize, stem="nik", digest=nik_digest),)

    nik = EncryptedTextField(_("NIK"))
    nik_digest = models.CharField(max_length=64, unique=True, editable=False)
    nik_last4 = models.CharField(max_length=4, editable=False)
    full_name = models.CharField(_("Nama Lengkap"), max_length=150)
    birth_date = models.DateField(_("Tanggal Lahir"))
    sex = models.CharField(_("Jenis Kelamin"), max_length=1, choices=Sex.choices)
    phone = EncryptedTextField(_("No. HP/WA"), blank=True)
    email = EncryptedTextField(_("E-mail"), blank=True)
    family_card = models.ForeignKey(
        FamilyCard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("KK saat ini"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = _("penduduk")
        verbose_name_plural = _("penduduk")
        indexes = [
            # The queue's name search: UPPER(full_name) LIKE UPPER('%text%') (icontains). PostgreSQL
            # only (migration 0004 skips it elsewhere); SQLite, the demo's database, scans.
            GinIndex(OpClass(Upper("full_name"), name="gin_trgm_ops"), name="citizen_name_trgm"),
            # The queue's "last four digits of the NIK" search.
            models.Index(fields=["nik_last4"], name="citizen_nik_last4"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.masked_nik})"

    @property
    def masked_nik(self) -> str:
        return nikparse.mask_last4(self.nik_last4)


class FamilyMembership(models.Model):
    """One entry of a citizen's KK history: which card, from when. Never overwritten."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="memberships")
    family_card = models.ForeignKey(FamilyCard, on_delete=models.PROTECT, related_name="memberships")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("riwayat KK")
        verbose_name_plural = _("riwayat KK")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "family_card"], name="membership_once_per_card"),
        ]


class PersonalDataAccess(models.Model):
    """Who saw a citizen's full NIK/KK, when, from where and why. Append-only; holds no NIK itself."""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("penduduk")
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dilihat oleh")
    )
    purpose = models.CharField(_("keperluan"), max_length=100)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("akses data pribadi")
        verbose_name_plural = _("akses data pribadi")
        ordering = ["-created_at"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("PersonalDataAccess is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("PersonalDataAccess is append-only.")


class DataCorrection(models.Model):
    """A correction of a citizen's data (UU PDP: the right to correct), recorded without the values.

    Names the fields changed, who changed them, when and why; the old and new values are personal
    data and stay out of the audit record.
    """

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="corrections")
    # Empty for the system (a proactive KK import that brought other data than the record's).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The office where it was made (codes, not a key: citizens does not depend on tickets), so
    # every office that serves the citizen sees who changed their data.
    office_code = models.CharField(max_length=20, blank=True)
    office_name = models.CharField(max_length=150, blank=True)
    fields = models.JSONField(default=list)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("koreksi data")
        verbose_name_plural = _("koreksi data")
        ordering = ["-created_at"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("DataCorrection is append-only.")
        super().save(*args, **kwargs)
