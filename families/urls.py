from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("baru/", views.intake, name="intake"),
    path("cari-anggota/", views.find_members, name="find_members"),
    path("cek-anggota/", views.check_member, name="check_member"),
    path("<int:pk>/", views.group, name="group"),
    path("<int:pk>/progres/", views.group_progress, name="group_progress"),
    path("<int:pk>/tanda-terima/", views.group_slip, name="slip"),
    path("impor/", views.import_upload, name="import_upload"),
    path("impor/<int:pk>/", views.import_batch, name="import_batch"),
    path("impor/<int:pk>/tiket/", views.import_tickets, name="import_tickets"),
    path("impor/<int:pk>/progres/", views.import_progress, name="import_progress"),
    path("impor/<int:pk>/konfirmasi/", views.import_confirm, name="import_confirm"),
    path("impor/<int:pk>/ulang/", views.import_retry, name="import_retry"),
]
