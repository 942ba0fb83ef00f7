"""The documents storage keeps only ciphertext, reads it back under rotated keys, and the S3
backend encrypts the same way."""

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage

from documents.s3 import EncryptedS3Storage
from documents.storage import EncryptedFileSystemStorage
from tests.helpdesk.test_settings import settings_in_a_fresh_process

PLAIN = b"%PDF-1.7 the family card of Siti Rahayu"


def test_a_file_saved_under_an_old_key_still_opens_after_a_rotation(settings, tmp_path):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    storage = EncryptedFileSystemStorage(location=str(tmp_path))
    name = storage.save("a/kk.pdf.enc", ContentFile(PLAIN))
    assert PLAIN not in (tmp_path / name).read_bytes()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    with storage.open(name) as stored:
        assert stored.read() == PLAIN
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(Exception, match="cannot be decrypted"):
        storage.open(name)


def test_the_s3_backend_sends_only_ciphertext_to_the_bucket_and_decrypts_what_it_reads(monkeypatch):
    bucket = {}

    def put(self, name, content):
        bucket[name] = content.read()
        return name

    class Stored:
        def __init__(self, data):
            self.data = data

        def read(self):
            return self.data

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(S3Storage, "_save", put)
    monkeypatch.setattr(S3Storage, "_open", lambda self, name, mode="rb": Stored(bucket[name]))
    storage = EncryptedS3Storage(bucket_name="sinkron-documents", access_key="k", secret_key="s")
    storage._save("kk.pdf.enc", ContentFile(PLAIN))
    assert bucket["kk.pdf.enc"].startswith(b"gAAAAA") and PLAIN not in bucket["kk.pdf.enc"]
    assert storage._open("kk.pdf.enc").read() == PLAIN


def test_an_accepted_document_never_goes_through_a_plaintext_temporary_file(settings):
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE > settings.DOCUMENTS_MAX_BYTES


def test_the_environment_picks_a_local_folder_or_an_s3_bucket_and_refuses_anything_else(tmp_path):
    local = settings_in_a_fresh_process(["STORAGES"], SINKRON_VAR_DIR=str(tmp_path))["STORAGES"]["documents"]
    assert local["BACKEND"] == "documents.storage.EncryptedFileSystemStorage"
    assert local["OPTIONS"]["location"] == str(tmp_path / "documents")
    s3 = settings_in_a_fresh_process(
        ["STORAGES"],
        SINKRON_VAR_DIR=str(tmp_path),
        DOCUMENTS_STORAGE="s3",
        DOCUMENTS_S3_BUCKET="berkas-kudus",
        DOCUMENTS_S3_ENDPOINT_URL="https://minio.kudus.example",
    )["STORAGES"]["documents"]
    assert s3["BACKEND"] == "documents.s3.EncryptedS3Storage"
    assert (s3["OPTIONS"]["bucket_name"], s3["OPTIONS"]["endpoint_url"], s3["OPTIONS"]["default_acl"]) == (
        "berkas-kudus",
        "https://minio.kudus.example",
        "private",
    )
    with pytest.raises(AssertionError, match="DOCUMENTS_STORAGE must be local or s3"):
        settings_in_a_fresh_process(["STORAGES"], SINKRON_VAR_DIR=str(tmp_path), DOCUMENTS_STORAGE="ftp")
