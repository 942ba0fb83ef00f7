"""Django admin for citizens: masked numbers only, view-only (corrections go through the app)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from citizens.adminsearch import PostSearchAdmin
from citizens.models import Citizen, FamilyCard, FamilyMembership, PersonalDataAccess, Region
from core.admin import ReadOnlyAdmin
from core.pagination import CappedPaginator


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)


class MembershipInline(admin.TabularInline):
    model = FamilyMembership
    fields = ("masked_card", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("family_card")

    @admin.display(description=_("Nomor KK"))
    def masked_card(self, membership):
        return membership.family_card.masked_number


@admin.register(Citizen)
class CitizenAdmin(PostSearchAdmin, ReadOnlyAdmin):
    list_display = ("full_name", "masked_nik", "birth_date", "sex", "created_at")
    list_filter = ("sex",)
    search_fields = ("full_name",)
    search_help_text = _("NIK lengkap (dicari lewat HMAC, tidak masuk alamat halaman) atau nama.")
    paginator = CappedPaginator
    show_full_result_count = False
    fields = ("full_name", "masked_nik", "birth_date", "sex", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [MembershipInline]

    @admin.display(description=_("NIK"))
    def masked_nik(self, citizen):
        return citizen.masked_nik


@admin.register(FamilyCard)
class FamilyCardAdmin(ReadOnlyAdmin):
    list_display = ("masked_number", "head_name", "region", "created_at")
    list_select_related = ("region",)
    fields = ("masked_number", "head_name", "address", "region", "created_at")
    readonly_fields = fields
    paginator = CappedPaginator
    show_full_result_count = False

    @admin.display(description=_("Nomor KK"))
    def masked_number(self, card):
        return card.masked_number


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "viewer", "citizen", "purpose", "ip_address")
    list_filter = ("created_at",)
    list_select_related = ("viewer", "citizen")
    search_fields = ("viewer__username", "purpose")
    paginator = CappedPaginator
    show_full_result_count = False
