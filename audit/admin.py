"""The audit trail in the Django admin: read-only (no add, change or delete, not even for superusers)."""

from django.contrib import admin

from audit.models import AuditEntry

# The one import from another app, and a leaf (Django only): the paginator every list page shares.
from core.admin import ReadOnlyAdmin
from core.pagination import CappedPaginator


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "sequence",
        "created_at",
        "actor_label",
        "actor_office",
        "action",
        "object_type",
        "object_id",
        "office",
        "ip",
    )
    list_filter = ("action", "object_type")
    search_fields = ("=actor_label", "=object_id", "=office", "=actor_office")
    fields = (
        "sequence",
        "created_at",
        "actor",
        "actor_label",
        "actor_office",
        "action",
        "object_type",
        "object_id",
        "office",
        "ip",
        "details",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields
    paginator = CappedPaginator
    show_full_result_count = False
