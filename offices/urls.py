"""The roll-up pages, at /wilayah/ (included by helpdesk/urls.py)."""

from django.urls import path

from offices import views

app_name = "offices"
urlpatterns = [
    path("", views.rollup, name="rollup"),
    path("unduh.csv", views.rollup_csv, name="rollup_csv"),
]
