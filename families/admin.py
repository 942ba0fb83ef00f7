"""Django admin for families: view-only, masked numbers (groups, members and batches are written
only by families.services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from families.models import FamilyGroup, FamilyMember, FamilyPush, ImportBatch


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    fields = ("ticket", "relation", "linked", "position")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FamilyGroup)
class FamilyGroupAdmin(ReadOnlyAdmin):
    list_display = ("id", "masked_kk", "office", "source", "batch", "created_by", "created_at")
    list_filter = ("source", "office", "created_at")
    list_select_related = ("office", "batch", "created_by")
    fields = ("masked_kk", "office", "source", "batch", "created_by", "created_at")
    readonly_fields = fields
    inlines = [FamilyMemberInline]

    @admin.display(description=_("Nomor KK"))
    def masked_kk(self, group):
        return group.masked_kk


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "file_name",
        "office",
        "status",
        "row_count",
        "valid_count",
        "error_count",
        "duplicate_count",
        "in_sync_count",
        "imported_count",
        "linked_count",
        "created_at",
    )
    list_filter = ("status", "office", "created_at")
    list_select_related = ("office",)
    exclude = ("stored_name",)


@admin.register(FamilyPush)
class FamilyPushAdmin(ReadOnlyAdmin):
    list_display = ("id", "group", "state", "attempts", "next_attempt_at", "accepted_at", "updated_at")
    list_filter = ("state",)
    list_select_related = ("group",)
    exclude = ("payload_json",)  # NIKs of every member
