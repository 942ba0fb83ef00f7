from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("tiket/<str:code>/unggah/", views.upload, name="upload"),
    path("<str:token>/", views.show, name="show"),
    path("<str:token>/gambar-kecil/", views.thumbnail, name="thumbnail"),
]
