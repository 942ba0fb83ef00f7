"""Routes of the mock registry: the registry API under /api/v1/, the test controls under /_control/."""

from django.urls import path

from mockregistry import views

urlpatterns = [
    path("api/v1/health", views.health, name="health"),
    path("api/v1/residents/<str:nik>", views.resident, name="resident"),
    path("api/v1/updates/<str:update_id>", views.update_detail, name="update"),
    path("api/v1/updates/<str:update_id>/expedite", views.expedite, name="expedite"),
    path("_control/faults", views.control_faults, name="control_faults"),
    path("_control/behaviour", views.control_behaviour, name="control_behaviour"),
    path("_control/stats", views.control_stats, name="control_stats"),
    path("_control/reset", views.control_reset, name="control_reset"),
    path("_control/residents", views.control_residents, name="control_residents"),
]

handler404 = views.not_found
handler500 = views.server_error
