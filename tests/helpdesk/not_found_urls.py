"""The project's URLs plus a view that answers 404 itself, as an API would (test_not_found_page)."""

from django.http import JsonResponse
from django.urls import path

from helpdesk.urls import urlpatterns as project_urlpatterns


def api_not_found(request):
    return JsonResponse({"error": "not_found"}, status=404)


urlpatterns = [path("api-test/missing", api_not_found), *project_urlpatterns]
