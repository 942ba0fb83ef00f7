"""The papers on a ticket: scans and phone photos of the KK, KTP-el, akta, surat pindah.

The bytes live encrypted in the `documents` storage (documents/storage.py), under a random name;
the row keeps what the page, the push and the subject-access export need. A document is reached by
its random `token`, never by its id, and only through documents/views.py, which checks the office.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits: unguessable, and no order to walk


class Kind(models.TextChoices):
    KK = "kk", _("KK baru")
    KTP = "ktp", _("KTP-el")
    AKTA = "akta", _("Akta")
    PINDAH = "pindah", _("Surat pindah")
    OTHER = "other", _("Lainnya")


# Kinds that prove who the person is and which family card they are on: the centre creates an
# unknown resident only from one of these (mockregistry's documents check says the same).
IDENTITY_KINDS = frozenset({Kind.KK, Kind.KTP})


class Document(models.Model):
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="documents", verbose_name=_("tiket")
    )
    kind = models.CharField(_("jenis dokumen"), max_length=10, choices=Kind.choices)
    original_name = models.CharField(_("nama berkas"), max_length=120)
    content_type = models.CharField(_("jenis berkas"), max_length=40)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Indexed for delete_orphan_files, which asks which of a folder's files still have a row.
    blob = models.CharField(max_length=100, editable=False, db_index=True)
    thumbnail_blob = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"), default=timezone.now)

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")
        # The ticket page and the push: a ticket's documents in upload order.
        indexes = [models.Index(fields=["ticket", "uploaded_at"], name="document_of_ticket")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.ticket.display_code}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def proves_identity(self) -> bool:
        return self.kind in IDENTITY_KINDS
