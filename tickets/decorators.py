"""View decorators that enforce the desk's roles on the server."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.scoping import scope_of
from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP, is_staff_member, is_supervisor


def _role_required(check):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not is_staff_member(request.user):
                return _no_role_page(request)
            if not check(request.user):
                raise PermissionDenied
            if not request.user.is_superuser:
                scope_of(request.user).refuse_without_office()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _no_role_page(request):
    """Refuse a signed-in account with no desk role, naming the roles to ask the admin for."""
    context = {"counter_group": COUNTER_GROUP, "supervisor_group": SUPERVISOR_GROUP}
    return render(request, "registration/no_role.html", context, status=403)


staff_required = _role_required(is_staff_member)
staff_required.__doc__ = "Require a member of the desk: counter staff, supervisor or admin."

supervisor_required = _role_required(is_supervisor)
supervisor_required.__doc__ = "Require a supervisor (or an admin)."


def writes(view):
    """Refuse (403, in words) the view to a role that only reads (provincial, national).

    Goes under staff_required/supervisor_required, on every view that changes data or serves only a
    change (intake and its checks, actions, imports, corrections, reveals for the centre).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope_of(request.user).refuse_writes()
        return view(request, *args, **kwargs)

    return wrapper


def writes_on_post(view):
    """Refuse a POST (a change) to a role that only reads; its GET stays a page they may read."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            scope_of(request.user).refuse_writes()
        return view(request, *args, **kwargs)

    return wrapper
