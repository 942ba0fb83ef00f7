"""The S3-compatible documents storage (django-storages, boto3): imported only when configured."""

from storages.backends.s3 import S3Storage

from documents.storage import EncryptedStorageMixin


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    """Any S3-compatible store (AWS, MinIO, Ceph...): bucket, endpoint and keys from the settings."""
