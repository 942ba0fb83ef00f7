"""Django admin for tickets: read-mostly. Status changes are workflow actions in the app, so the
admin neither edits a ticket's status nor deletes tickets or timeline rows."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from citizens.adminsearch import PostSearchAdmin
from core.admin import ReadOnlyAdmin
from core.pagination import CappedPaginator
from tickets.models import Office, StaffProfile, Ticket, TicketEvent, normalize_ticket_code


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    fields = ("created_at", "actor", "kind", "from_status", "to_status", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region_code", "central_contact_whatsapp")
    search_fields = ("code", "name")
    ordering = ("name",)  # the office autocomplete on the user form pages through them


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "office")
    list_filter = ("office",)
    list_select_related = ("user", "office")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("office",)


class StaffProfileFormSet(BaseInlineFormSet):
    """Require an office for an account given a desk role: without one it cannot open a page."""

    def clean(self):
        super().clean()
        has_role = bool(self.data.getlist("groups"))  # the user form's groups, posted with this formset
        has_office = any(
            form.cleaned_data.get("office") for form in self.forms if hasattr(form, "cleaned_data")
        )
        if has_role and not has_office:
            raise forms.ValidationError(_("Pilih kantor untuk petugas yang diberi peran (grup)."))


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    formset = StaffProfileFormSet
    fields = ("office",)
    autocomplete_fields = ("office",)
    can_delete = False
    max_num = 1
    extra = 1


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(UserAdmin):
    """Django's user admin, plus the role and the office on the add form: one form makes a clerk."""

    inlines = [StaffProfileInline]
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Peran dan nama"), {"fields": ("first_name", "last_name", "groups")}),
    )
    list_select_related = ("staff_profile__office",)
    list_display = ("username", "first_name", "last_name", "office", "is_staff")
    readonly_fields = ("last_login", "date_joined")  # facts of the account, not something to edit

    @admin.display(description=_("kantor"), ordering="staff_profile__office__name")
    def office(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.office if profile else "–"


@admin.register(Ticket)
class TicketAdmin(PostSearchAdmin, ReadOnlyAdmin):
    list_display = (
        "display_code",
        "office",
        "status",
        "category",
        "service",
        "masked_nik",
        "assignee",
        "created_at",
    )
    list_filter = ("status", "category", "service", "office", "created_at")
    list_select_related = ("office", "citizen", "assignee")
    search_fields = ("code",)
    search_help_text = _("Kode tiket atau NIK lengkap (dicari lewat HMAC, tidak masuk alamat halaman).")
    nik_digest_path = "citizen__nik_digest"
    paginator = CappedPaginator
    show_full_result_count = False
    fields = (
        "code",
        "office",
        "citizen",
        "status",
        "category",
        "service",
        "masked_kk",
        "description",
        "deadline",
        "assignee",
        "created_by",
        "outcome_note",
        "created_at",
        "sent_at",
        "due_at",
        "resolved_at",
        "closed_at",
    )
    readonly_fields = fields
    inlines = [TicketEventInline]

    @admin.display(description=_("Kode Tiket"), ordering="code")
    def display_code(self, ticket):
        return ticket.display_code

    @admin.display(description=_("NIK"))
    def masked_nik(self, ticket):
        return ticket.citizen.masked_nik

    @admin.display(description=_("Nomor KK"))
    def masked_kk(self, ticket):
        return ticket.masked_kk

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        # A NIK is searched by its digest (PostSearchAdmin, nik_digest_path); the text is a code.
        return queryset.filter(code=normalize_ticket_code(search_term)), False


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "created_at", "kind", "from_status", "to_status", "actor")
    list_filter = ("kind", "to_status")
    list_select_related = ("ticket", "actor")
    search_fields = ("ticket__code",)
    paginator = CappedPaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(ticket__code=normalize_ticket_code(search_term)), False
