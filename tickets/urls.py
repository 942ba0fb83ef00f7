from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("baru/", views.intake, name="intake"),
    path("cek-nik/", views.nik_check, name="nik_check"),
    path("pemberitahuan/", views.alerts, name="alerts"),
    path("pemberitahuan/dibaca/", views.alerts_read, name="alerts_read"),
    path("cek-kk/", views.kk_check, name="kk_check"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/nik/", views.reveal_nik, name="reveal_nik"),
    path("<str:code>/tanda-terima/", views.slip, name="slip"),
    path("<str:code>/aksi/<slug:action>/", views.ticket_action, name="action"),
]
