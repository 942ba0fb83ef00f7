"""A personal number (NIK, KK) kept three ways: encrypted, as a keyed digest for exact lookups, and
its last four digits in the clear for masked display ("************1234") and the queue's search.

A model declares its numbers once in `encrypted_numbers`; EncryptedNumbers fills the digest and last-four
columns on every save, so no table can store a number and forget its companions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class EncryptedNumber:
    """The number in field `name` (an EncryptedTextField): normalized with `normalize`; with `stem`,
    also written to `<stem>_last4` and, given `digest`, to `<stem>_digest`."""

    name: str
    normalize: Callable[[str], str]
    stem: str = ""
    digest: Callable[[str], str] | None = None

    def fill(self, instance: models.Model) -> None:
        number = getattr(instance, self.name)
        if not number and not self.stem:  # an optional number, left empty
            return
        number = self.normalize(number)
        setattr(instance, self.name, number)
        if self.digest is not None:
            setattr(instance, f"{self.stem}_digest", self.digest(number))
        if self.stem:
            setattr(instance, f"{self.stem}_last4", number[-4:])


class EncryptedNumbers(models.Model):
    """Fill each declared number's digest and last four digits before every save."""

    encrypted_numbers: tuple[EncryptedNumber, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for number in self.encrypted_numbers:
            number.fill(self)
        super().save(*args, **kwargs)
