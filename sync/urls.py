from django.urls import path

from sync import views

app_name = "sync"

urlpatterns = [
    path("<str:code>/", views.panel, name="panel"),
    path("<str:code>/cek-sekarang/", views.check_now, name="check_now"),
    path("<str:code>/kirim-ulang/", views.repush, name="repush"),
    path("<str:code>/hambatan/<slug:action>/", views.block_action, name="block_action"),
]
