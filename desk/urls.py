"""The desk's pages, each feature under its own namespace (dashboard:, escalation:, reports:,
subject_access:), and the queue's bulk actions; included at the site's root by helpdesk/urls.py."""

from django.urls import include, path

from desk.views import dashboard, escalation, queue_bulk, reports, subject_access

dashboard_patterns = [
    path("", dashboard.dashboard, name="index"),
    path("data/<slug:chart>.csv", dashboard.chart_csv, name="chart_csv"),
]

escalation_patterns = [
    path("", escalation.desk, name="desk"),
    path("massal/", escalation.bulk, name="bulk"),
    path("<str:code>/pesan/", escalation.message, name="message"),
    path("<str:code>/sudah/", escalation.contacted, name="contacted"),
    path("<str:code>/whatsapp/", escalation.send_whatsapp, name="send_whatsapp"),
]

report_patterns = [
    path("", reports.index, name="index"),
    path("unduh/csv/", reports.export_csv, name="csv"),
    path("unduh/xlsx/", reports.export_xlsx, name="xlsx"),
]

subject_access_patterns = [
    path("", subject_access.lookup, name="lookup"),
    path("<int:pk>/", subject_access.detail, name="detail"),
    path("<int:pk>/json/", subject_access.export_json, name="export_json"),
]

urlpatterns = [
    path("tiket/massal/", queue_bulk.queue_bulk, name="queue_bulk"),  # before tickets' <code>/
    path("dasbor/", include((dashboard_patterns, "dashboard"))),
    path("eskalasi/", include((escalation_patterns, "escalation"))),
    path("laporan/", include((report_patterns, "reports"))),
    path("subjek/", include((subject_access_patterns, "subject_access"))),
]
