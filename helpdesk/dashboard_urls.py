from django.urls import path

from helpdesk import dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.dashboard, name="index"),
    path("data/<slug:chart>.csv", dashboard.chart_csv, name="chart_csv"),
]
