from django.contrib import admin

from core.admin import ReadOnlyAdmin
from documents.models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """What is on file, never the file: the bytes are shown only by documents.views (audited)."""

    list_display = ("ticket", "kind", "content_type", "size", "uploaded_at", "uploaded_by")
    list_filter = ("kind", "content_type")
    list_select_related = ("ticket", "uploaded_by")
    fields = (
        "ticket",
        "kind",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields
    show_full_result_count = False
