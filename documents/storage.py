"""Storage backends that keep document bytes encrypted at rest.

The same key machinery as the NIK (core/crypto.py: Fernet under FIELD_ENCRYPTION_KEYS, the newest
key encrypts, all decrypt), applied to the whole file; what reaches the disk or the bucket is a
Fernet token only. Configured as STORAGES["documents"] in helpdesk/settings.py: the local
filesystem under var/ by default, any S3-compatible store through django-storages in production
(documents/s3.py, imported only there).
"""

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages

from core import crypto


class EncryptedStorageMixin:
    """Encrypt on save and decrypt on open; every other call goes to the storage underneath."""

    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(crypto.encrypt_bytes(content.read())))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as stored:
            token = stored.read()
        return ContentFile(crypto.decrypt_bytes(token), name=name)


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    pass


def document_storage():
    """Return the configured documents storage (read at call time, so tests can point it elsewhere)."""
    return storages["documents"]
