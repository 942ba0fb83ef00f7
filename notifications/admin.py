"""Django admin for notifications: view-only (the worker owns every state change)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.pagination import CappedPaginator
from notifications.models import Notification
from tickets.models import normalize_ticket_code


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "ticket_code",
        "kind",
        "channel",
        "recipient_hint",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "kind", "channel", "created_at")
    list_select_related = ("ticket",)
    search_fields = ("ticket__code",)
    search_help_text = _("Kode tiket, mis. ABCDE-FGHJK.")
    paginator = CappedPaginator
    show_full_result_count = False

    @admin.display(description=_("Kode Tiket"), ordering="ticket__code")
    def ticket_code(self, notification):
        return notification.ticket.display_code

    def get_search_results(self, request, queryset, search_term):
        code = normalize_ticket_code(search_term)
        if not code:
            return queryset, False
        return queryset.filter(ticket__code=code), False
