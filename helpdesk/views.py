from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from tickets.permissions import is_staff_member


def home(request):
    """Send staff to their queue; everyone else sees the public landing page."""
    if is_staff_member(request.user):
        return redirect("tickets:queue")
    return render(request, "home.html")


def healthz(request):
    """Report that the process is alive and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
