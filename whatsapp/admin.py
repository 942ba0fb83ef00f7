"""Django admin for the inbound side: view-only (the webhook and the worker own every change)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from core.pagination import CappedPaginator
from whatsapp.models import Contact, Reply


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("phone_hint", "opted_in_at", "opted_out_at", "last_inbound_at")
    fields = list_display
    paginator = CappedPaginator
    show_full_result_count = False


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "contact", "status", "attempts", "sent_at", "last_error")
    list_select_related = ("contact",)
    fields = ("contact", "text", "status", "attempts", "sent_at", "last_error")
    paginator = CappedPaginator
    show_full_result_count = False
