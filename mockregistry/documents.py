"""The papers an office sends with a resubmission, when the centre asked for documents.

`documents` on a resident PUT is optional: a list of {kind, filename, sha256, size, content_type,
content (base64)}. Each is checked (the bytes must match the size and digest given); the centre
keeps the metadata with the update, not the bytes. An unknown NIK is accepted, and created when
the update applies, only when one of the documents proves identity and family: a KK or a KTP-el.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

KINDS = ("kk", "ktp", "akta", "pindah", "other")
IDENTITY_KINDS = frozenset({"kk", "ktp"})
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
MAX_DOCUMENTS = 10
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILENAME_LENGTH = 120

BAD_LIST = f"Dokumen harus berupa daftar berisi 1-{MAX_DOCUMENTS} dokumen."
BAD_KIND = "Jenis dokumen harus salah satu dari: " + ", ".join(KINDS) + "."
BAD_CONTENT_TYPE = "Jenis berkas harus salah satu dari: " + ", ".join(CONTENT_TYPES) + "."
BAD_FILENAME = f"Nama berkas harus 1-{MAX_FILENAME_LENGTH} karakter tanpa karakter kontrol."
BAD_CONTENT = "Isi dokumen harus base64 yang sah."
TOO_LARGE = f"Dokumen paling besar {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."
SIZE_MISMATCH = "Ukuran dokumen tidak sama dengan isinya."
DIGEST_MISMATCH = "SHA-256 dokumen tidak sama dengan isinya."
NOT_AN_OBJECT = "Setiap dokumen harus berupa objek JSON."
NO_IDENTITY_DETAIL = "Dokumen yang dikirim tidak membuktikan identitas: kirim KK atau KTP-el penduduk."

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SHA256 = re.compile(r"[0-9a-f]{64}")

Errors = dict[str, list[str]]


def clean_documents(value: object, errors: Errors) -> list[dict] | None:
    """Return the documents' metadata (content checked, then dropped), or None with `errors` filled
    by position (`documents[0].sha256`)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_DOCUMENTS:
        errors["documents"] = [BAD_LIST]
        return None
    cleaned = []
    for index, item in enumerate(value):
        problems = _document_errors(item)
        for field, messages in problems.items():
            errors[f"documents[{index}]{field}"] = messages
        if not problems:
            cleaned.append(
                {name: item[name] for name in ("kind", "filename", "sha256", "size", "content_type")}
            )
    return None if len(cleaned) != len(value) else cleaned


def proves_identity(documents: list[dict] | None) -> bool:
    return any(document["kind"] in IDENTITY_KINDS for document in documents or ())


def _document_errors(item: object) -> Errors:
    if not isinstance(item, dict):
        return {"": [NOT_AN_OBJECT]}
    errors: Errors = {}
    if item.get("kind") not in KINDS:
        errors[".kind"] = [BAD_KIND]
    if item.get("content_type") not in CONTENT_TYPES:
        errors[".content_type"] = [BAD_CONTENT_TYPE]
    name = item.get("filename")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_FILENAME_LENGTH or _CONTROL_CHARS.search(name):
        errors[".filename"] = [BAD_FILENAME]
    errors.update(_content_errors(item))
    return errors


def _content_errors(item: dict) -> Errors:
    content, size, digest = item.get("content"), item.get("size"), item.get("sha256")
    if not isinstance(content, str) or len(content) > (MAX_DOCUMENT_BYTES * 4) // 3 + 4:
        return {".content": [BAD_CONTENT if not isinstance(content, str) else TOO_LARGE]}
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return {".content": [BAD_CONTENT]}
    errors: Errors = {}
    if not isinstance(size, int) or isinstance(size, bool) or size != len(data):
        errors[".size"] = [SIZE_MISMATCH]
    if (
        not isinstance(digest, str)
        or not _SHA256.fullmatch(digest)
        or hashlib.sha256(data).hexdigest() != digest
    ):
        errors[".sha256"] = [DIGEST_MISMATCH]
    return errors
