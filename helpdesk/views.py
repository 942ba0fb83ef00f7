from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from tickets.permissions import COUNTER_GROUP, SUPERVISOR_GROUP, is_staff_member


def home(request):
    """Send staff to their queue; everyone else sees the public landing page."""
    if is_staff_member(request.user):
        return redirect("tickets:queue")
    return render(request, "home.html")


@login_required
def no_role(request):
    """Tell a signed-in account without a desk role which role to ask the admin for."""
    if is_staff_member(request.user):
        return redirect("home")
    return render(
        request,
        "registration/no_role.html",
        {"counter_group": COUNTER_GROUP, "supervisor_group": SUPERVISOR_GROUP},
    )


def favicon(request):
    """Answer browsers that ask for /favicon.ico with the project's icon."""
    return redirect(static("favicon.svg"), permanent=True)


def healthz(request):
    """Report that the process is alive and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
