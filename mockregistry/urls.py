"""Routes of the mock registry: the registry API under /api/v1/, the test controls under /_control/."""

from django.urls import path

from mockregistry import control_views, views

urlpatterns = [
    path("api/v1/health", views.health, name="health"),
    path("api/v1/residents/<str:nik>", views.resident, name="resident"),
    path("api/v1/residents/<str:nik>/reactivation", views.reactivation, name="reactivation"),
    path("api/v1/families/<str:kk_number>", views.family, name="family"),
    path("api/v1/portals", views.portals, name="portals"),
    path("api/v1/portals/<str:portal>/residents/<str:nik>", views.portal_resident, name="portal_resident"),
    path("api/v1/updates/<str:update_id>", views.update_detail, name="update"),
    path("api/v1/updates/<str:update_id>/expedite", views.expedite, name="expedite"),
    path("_control/faults", control_views.control_faults, name="control_faults"),
    path("_control/behaviour", control_views.control_behaviour, name="control_behaviour"),
    path("_control/stats", control_views.control_stats, name="control_stats"),
    path("_control/reset", control_views.control_reset, name="control_reset"),
    path("_control/residents", control_views.control_residents, name="control_residents"),
    path(
        "_control/residents/<str:nik>/state",
        control_views.control_resident_state,
        name="control_resident_state",
    ),
    path("_control/families", control_views.control_families, name="control_families"),
    path("_control/clock", control_views.control_clock, name="control_clock"),
]

handler404 = views.not_found
handler500 = views.server_error
