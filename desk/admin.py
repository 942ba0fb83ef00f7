from django.contrib import admin

from core.admin import ReadOnlyAdmin
from desk.models import DailyStatusCount


@admin.register(DailyStatusCount)
class DailyStatusCountAdmin(ReadOnlyAdmin):
    list_display = ("day", "office", "status", "count")
    list_filter = ("office", "status")
    list_select_related = ("office",)
