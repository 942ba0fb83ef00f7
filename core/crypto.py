"""Encryption at rest and keyed lookups for personal numbers (NIK, KK, phone).

A NIK is low-entropy (region, birth date, serial), so an unkeyed hash of it is reversible in
minutes: lookups use HMAC-SHA256 with a key kept apart from the encryption keys. Encryption is
Fernet (AES-128-CBC + HMAC) through MultiFernet, so old keys keep decrypting after a rotation.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current_fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Return the Fernet token of `plaintext` under the newest key."""
    return _current_fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Return the plaintext of a token made under any configured key."""
    try:
        return _current_fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("A stored value cannot be decrypted with the configured keys.") from None


def encrypt_bytes(data: bytes) -> bytes:
    """Return the Fernet token of `data` (a file's bytes) under the newest key."""
    return _current_fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    """Return the bytes of a token made by `encrypt_bytes` under any configured key."""
    try:
        return _current_fernet().decrypt(token)
    except InvalidToken:
        raise ImproperlyConfigured("A stored file cannot be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    """Return `token` re-encrypted under the newest key."""
    return _current_fernet().rotate(token.encode()).decode()


def blind_index(kind: str, value: str) -> str:
    """Return the keyed lookup digest of `value`; `kind` separates NIK, KK and phone digests."""
    key = settings.FIELD_HMAC_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token and read back as plaintext.

    Not searchable by design: pair it with a `blind_index` column for exact lookups.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
