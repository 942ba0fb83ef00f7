"""Django admin for the outbox: read-only jobs with their attempts (staff act from the ticket page)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.pagination import CappedPaginator
from sync.models import SyncAttempt, SyncJob


class SyncAttemptInline(admin.TabularInline):
    model = SyncAttempt
    fields = ("created_at", "operation", "outcome", "status_code", "latency_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SyncJob)
class SyncJobAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket",
        "state",
        "attempts",
        "checks",
        "next_attempt_at",
        "sla_due_at",
        "escalated_at",
        "last_error",
    )
    list_filter = ("state",)
    list_select_related = ("ticket",)
    search_fields = ("ticket__code", "update_id")
    exclude = ("payload_json",)  # holds the NIK
    readonly_fields = (
        "ticket",
        "idempotency_key",
        "state",
        "attempts",
        "checks",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "update_id",
        "accepted_at",
        "sla_due_at",
        "escalated_at",
        "verified_at",
        "portal",
        "portal_checks",
    )
    inlines = [SyncAttemptInline]
    paginator = CappedPaginator
    show_full_result_count = False


@admin.register(SyncAttempt)
class SyncAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "job", "operation", "outcome", "status_code", "latency_ms")
    list_filter = ("operation", "outcome")
    list_select_related = ("job__ticket",)
    paginator = CappedPaginator
    show_full_result_count = False
