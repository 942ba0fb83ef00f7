"""Reads of documents: a ticket's list, one document for a user, the subject-access record."""

import base64

from django.http import Http404

from documents.models import Document
from documents.services import read_document
from tickets.permissions import may_open_ticket


def documents_of(ticket) -> list[Document]:
    return list(ticket.documents.select_related("uploaded_by").order_by("uploaded_at", "pk"))


def document_for_user(user, token: str) -> Document:
    """Return the document if `user` may open its ticket; 404 otherwise (no hint it exists)."""
    document = (
        Document.objects.select_related("ticket__office", "ticket__citizen")
        .defer("ticket__kk_number", "ticket__citizen__nik")
        .filter(token=token)
        .first()
    )
    if document is None or not may_open_ticket(user, document.ticket):
        raise Http404
    return document


def subject_documents(tickets, *, with_content: bool = False) -> list[dict]:
    """Return the documents of `tickets` for a subject-access record; `with_content` adds each
    file's bytes in base64 (the JSON export: the person's copy of their papers)."""
    documents = Document.objects.filter(ticket__in=tickets).select_related("ticket", "uploaded_by")
    return [
        {
            "ticket": d.ticket.display_code,
            "token": d.token,
            "kind": d.get_kind_display(),
            "filename": d.original_name,
            "content_type": d.content_type,
            "size": d.size,
            "sha256": d.sha256,
            "uploaded_at": d.uploaded_at,
            "uploaded_by": d.uploaded_by.get_username() if d.uploaded_by else "",
            **({"content_base64": _base64(read_document(d))} if with_content else {}),
        }
        for d in documents.order_by("uploaded_at", "pk")
    ]


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
