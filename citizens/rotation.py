"""Key rotation for personal data at rest (run by `manage.py rotate_keys`).

Encryption keys rotate in two steps. Put the new key first in FIELD_ENCRYPTION_KEYS and keep the
old ones after it: MultiFernet decrypts with any of them, so every row stays readable while
`rotate_encryption()` re-encrypts each stored token under the new key. When it reports nothing left
to rotate, the old keys can be dropped from the list.

The lookup key (FIELD_HMAC_KEY) is different: a digest cannot be "re-keyed"; it has to be
recomputed from the plaintext, and there is only one key, so between switching the key and
finishing `rehash_digests()` a NIK lookup finds nothing — intake would even create a second
citizen for a NIK it can no longer find. Rotate it in a maintenance window: stop the web and
worker processes, set the new key, run `rotate_keys --rehash`, start again.

Both walk each table in primary-key batches, each batch in its own transaction with its rows
locked, so a large table is done in bounded memory, a crash loses at most one batch of work, and a
row the app writes meanwhile is never overwritten with a stale value. Both are idempotent: a row
already current is left alone.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

from citizens.models import Citizen, FamilyCard, kk_digest, nik_digest
from core.crypto import EncryptedTextField, rotate

BATCH_SIZE = 500


@dataclass
class ColumnReport:
    rotated: int = 0  # re-encrypted (or, in a dry run, would be)
    current: int = 0  # already under the newest key
    empty: int = 0  # blank or erased: nothing to encrypt
    unreadable: int = 0  # no configured key decrypts it: left as it is

    def as_dict(self) -> dict:
        return {
            "rotated": self.rotated,
            "current": self.current,
            "empty": self.empty,
            "unreadable": self.unreadable,
        }


@dataclass
class RotationReport:
    columns: dict[str, ColumnReport] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(getattr(column, name) for column in self.columns.values())

    def as_dict(self) -> dict:
        return {
            "columns": {label: column.as_dict() for label, column in self.columns.items()},
            **{name: self.total(name) for name in ("rotated", "current", "empty", "unreadable")},
        }


def encrypted_columns() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Return every concrete model with its EncryptedTextField columns, found by introspection."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [f for f in meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def column_label(model, field) -> str:
    return f"{model._meta.label_lower}.{field.name}"


def rotate_encryption(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> RotationReport:
    """Re-encrypt every encrypted column under the newest key; with `dry_run`, only count."""
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    report = RotationReport()
    for model, fields in encrypted_columns():
        for field_ in fields:
            report.columns[column_label(model, field_)] = ColumnReport()
        raw = {f"raw_token_{f.attname}": Cast(f.attname, output_field=models.TextField()) for f in fields}
        for batch in _batches(model, dry_run=dry_run, batch_size=batch_size, **raw):
            for pk, *tokens in batch:
                changes = {}
                for field_, token in zip(fields, tokens):
                    column = report.columns[column_label(model, field_)]
                    new = _rotated(token, newest, column)
                    if new is not None:
                        changes[field_.attname] = models.Value(new, output_field=models.TextField())
                if changes and not dry_run:
                    # Value(..., TextField) writes the token as it is (the field would encrypt it again).
                    model._base_manager.filter(pk=pk).update(**changes)
    return report


def _rotated(token: str | None, newest: Fernet, column: ColumnReport) -> str | None:
    """Return `token` re-encrypted under the newest key, or None when it needs no change."""
    if not token:
        column.empty += 1
        return None
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        pass
    else:
        column.current += 1
        return None
    try:
        new = rotate(token)
    except InvalidToken:
        column.unreadable += 1
        return None
    column.rotated += 1
    return new


def _batches(model, *, dry_run: bool, batch_size: int, **raw) -> Iterator[list[tuple]]:
    """Yield the rows of `model` as (pk, *raw column values), batch by batch, each batch locked.

    The body of the loop runs inside the batch's transaction (the generator suspends inside it).
    """
    last = None
    names = list(raw)
    while True:
        with transaction.atomic():
            rows = model._base_manager.order_by("pk").annotate(**raw)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            if not dry_run:
                rows = rows.select_for_update()
            batch = list(rows.values_list("pk", *names)[:batch_size])
            if not batch:
                return
            yield batch
        last = batch[-1][0]


# --- the lookup digests --------------------------------------------------------------------------

# (model, encrypted field, digest column, digest function): the keyed-HMAC lookup columns.
DIGEST_COLUMNS = [
    (Citizen, "nik", "nik_digest", nik_digest),
    (FamilyCard, "kk_number", "kk_digest", kk_digest),
]


def rehash_digests(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> dict[str, dict]:
    """Recompute every lookup digest from the decrypted value with the current FIELD_HMAC_KEY.

    Rows whose number was erased (retention purge: empty value, random digest) are skipped.
    """
    report = {}
    for model, value_field, digest_field, digest in DIGEST_COLUMNS:
        counts = {"rehashed": 0, "current": 0, "erased": 0}
        report[f"{model._meta.label_lower}.{digest_field}"] = counts
        for batch in _batches(model, dry_run=dry_run, batch_size=batch_size):
            rows = model._base_manager.filter(pk__in=[pk for (pk,) in batch]).only(value_field, digest_field)
            for row in rows:
                value = getattr(row, value_field)
                if not value:
                    counts["erased"] += 1
                    continue
                wanted = digest(value)
                if wanted == getattr(row, digest_field):
                    counts["current"] += 1
                    continue
                counts["rehashed"] += 1
                if not dry_run:
                    model._base_manager.filter(pk=row.pk).update(**{digest_field: wanted})
    return report
