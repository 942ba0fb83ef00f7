"""The audit page (/audit/): supervisors read their offices' trail, by ticket or by staff member."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditFilterForm
from core.pagination import CappedPaginator
from core.scoping import scope_of

READ_PERMISSION = "audit.view_auditentry"


@login_required
@permission_required(READ_PERMISSION, raise_exception=True)
@require_GET
def entries(request):
    """List the audit entries of the user's office, newest first, optionally for one ticket or person."""
    scope = scope_of(request.user)
    if not scope.sees_all:
        scope.refuse_without_office()
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.entries_for(
        request.user, ticket=filters.get("ticket", ""), staff=filters.get("staff", "")
    )
    paginator = CappedPaginator(queryset, getattr(settings, "AUDIT_ENTRIES_PER_PAGE", 50))
    page = paginator.get_page(request.GET.get("page"))
    querystring = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "audit/entries.html",
        {"form": form, "page": page, "paginator": paginator, "querystring": querystring},
    )
