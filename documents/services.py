"""Every write to documents, and what other apps read of them (the push, the export).

A file is written to storage before its row, inside the caller's transaction: a rollback leaves at
worst an orphan blob (encrypted, named by nothing), never a row without its file. Deleting goes the
other way: rows first, blobs once the transaction has committed.
"""

import base64
import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from citizens.nik import mask_nik_like
from documents.inspection import CheckedFile
from documents.models import Document
from documents.storage import document_storage
from tickets.models import Ticket

NAME_LENGTH = 100
ORPHAN_AGE = dt.timedelta(hours=1)
PUSH_LIMIT = 10  # documents in one resubmission (the registry's limit)


def safe_name(name: str, extension: str) -> str:
    """Return the uploaded file's name, fit to show and to offer for download.

    No folder parts, no NIK (a scan named after the person's NIK), and the extension of what the
    content really is.
    """
    stem = (name or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = get_valid_filename(mask_nik_like(stem).replace("*", "x")) if stem.strip(" ._") else ""
    return f"{(stem or 'dokumen')[:NAME_LENGTH]}.{extension}"


def _blob_name(extension: str) -> str:
    key = uuid.uuid4().hex
    return f"{key[:2]}/{key}.{extension}.enc"


def attach_document(
    *, ticket: Ticket, actor, kind: str, checked: CheckedFile, original_name: str
) -> Document:
    """Store the checked file (and its thumbnail) encrypted and record it on the ticket."""
    storage = document_storage()
    blob = storage.save(_blob_name(checked.extension), _as_file(checked.content))
    thumbnail = storage.save(_blob_name("jpg"), _as_file(checked.thumbnail)) if checked.thumbnail else ""
    return Document.objects.create(
        ticket=ticket,
        kind=kind,
        original_name=safe_name(original_name, checked.extension),
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        blob=blob,
        thumbnail_blob=thumbnail,
        uploaded_by=actor,
    )


def _as_file(data: bytes) -> ContentFile:
    return ContentFile(data)


def read_document(document: Document, *, thumbnail: bool = False) -> bytes:
    """Return the decrypted bytes of the document (or of its thumbnail)."""
    with document_storage().open(document.thumbnail_blob if thumbnail else document.blob) as stored:
        return stored.read()


def delete_documents(documents: QuerySet) -> int:
    """Delete the documents' rows now and their files once the transaction commits; return the count."""
    blobs = [name for pair in documents.values_list("blob", "thumbnail_blob") for name in pair if name]
    count, _ = documents.delete()
    if blobs:
        transaction.on_commit(lambda: _delete_blobs(blobs))
    return count


def _delete_blobs(names: list[str]) -> None:
    storage = document_storage()
    for name in names:
        storage.delete(name)


def push_document_ids(ticket: Ticket) -> list[int]:
    """Return the documents a resubmission carries, in order: the KK and KTP-el first (they prove
    identity), then the newest; at most PUSH_LIMIT (the centre's limit)."""
    documents = sorted(
        ticket.documents.order_by("-uploaded_at", "-pk"), key=lambda document: not document.proves_identity
    )
    return [document.pk for document in documents[:PUSH_LIMIT]]


def documents_for_push(ticket: Ticket, ids: list[int] | None = None) -> list[dict]:
    """Return the ticket's documents (`ids`, or push_document_ids) as the registry's `documents`
    field wants them: kind, filename, sha256, size, content_type and the bytes in base64 (`content`).

    The sync layer snapshots the ids when the clerk resubmits and reads the bytes at each push, so
    every push under one Idempotency-Key carries the same documents; one deleted since is left out.
    """
    ids = push_document_ids(ticket) if ids is None else ids
    found = ticket.documents.in_bulk(ids)
    return [_as_pushed(found[pk]) for pk in ids if pk in found]


def _as_pushed(document: Document) -> dict:
    return {
        "kind": document.kind,
        "filename": document.original_name,
        "sha256": document.sha256,
        "size": document.size,
        "content_type": document.content_type,
        "content": base64.b64encode(read_document(document)).decode("ascii"),
    }


def delete_orphan_files(*, older_than: dt.timedelta = ORPHAN_AGE) -> int:
    """Delete stored files no document names, older than `older_than`; return how many.

    The purge deletes a document's files after its commit (transaction.on_commit, not durable: a
    crash in between leaves them), and a rolled-back upload leaves its file; this catches both. The
    age keeps it off a file whose row is still being written.
    """
    storage = document_storage()
    cutoff = timezone.now() - older_than
    deleted = 0
    try:
        folders, _files = storage.listdir("")
    except FileNotFoundError:  # nothing stored yet (a fresh install): nothing to tidy
        return 0
    for folder in folders:
        names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        known = set(Document.objects.filter(blob__in=names).values_list("blob", flat=True))
        known |= set(
            Document.objects.filter(thumbnail_blob__in=names).values_list("thumbnail_blob", flat=True)
        )
        for name in names:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    return deleted
