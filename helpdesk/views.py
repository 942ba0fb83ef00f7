from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from tickets.permissions import is_staff_member


def home(request):
    """Send staff to their queue; everyone else sees the public landing page."""
    if is_staff_member(request.user):
        return redirect("tickets:queue")
    return render(request, "home.html")


def favicon(request):
    """Answer browsers that ask for /favicon.ico with the project's icon."""
    return redirect(static("favicon.svg"), permanent=True)


def healthz(request):
    """Report that the process is alive and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
