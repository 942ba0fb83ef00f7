from django.contrib import admin

from helpdesk.models import DailyStatusCount
from citizens.admin import ReadOnlyAdmin


@admin.register(DailyStatusCount)
class DailyStatusCountAdmin(ReadOnlyAdmin):
    list_display = ("day", "office", "status", "count")
    list_filter = ("office", "status")
    list_select_related = ("office",)
